package io.thunderstream.backend.s3;

import java.time.Duration;

/** Polls a condition until it holds or a deadline passes; the pause only spaces the polls out. */
final class Await {

    interface Attempt {
        void run() throws Exception;
    }

    private Await() {
    }

    /** Runs {@code attempt} until it completes without throwing; rethrows its last failure at the deadline. */
    static void untilSucceeds(Duration timeout, Attempt attempt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                attempt.run();
                return;
            } catch (Exception | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(100);
        }
    }
}
