package io.thunderstream.engine.sync;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a storage operation every {@code storage_retry_interval}, up to
 * {@code storage_retry_count} times or forever, logging a failure once per run of failures and
 * not once per attempt.
 */
final class Retrier {

    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    @FunctionalInterface
    interface StorageCall<T> {
        T call() throws IOException;
    }

    /** Sleeps between attempts; returns false when the syncer is stopping. */
    @FunctionalInterface
    interface Pause {
        boolean pause(Duration d) throws InterruptedException;
    }

    private final Duration interval;
    private final int count;
    private final boolean forever;
    private final Pause pause;

    Retrier(Duration interval, int count, boolean forever, Pause pause) {
        this.interval = interval;
        this.count = count;
        this.forever = forever;
        this.pause = pause;
    }

    <T> T call(String what, StorageCall<T> call) throws IOException, InterruptedException {
        int failures = 0;
        while (true) {
            try {
                T result = call.call();
                if (failures > 0) {
                    log.info("{}: succeeded after {} failed attempts", what, failures);
                }
                return result;
            } catch (io.thunderstream.api.BlobNotFoundException e) {
                throw e; // gone for good: the caller decides
            } catch (IOException e) {
                failures++;
                if (!forever && failures > count) {
                    throw new IOException(what + ": failed " + failures + " times, giving up: " + e.getMessage(), e);
                }
                if (failures == 1) {
                    log.warn("{}: {}; retrying every {}{}", what, e.getMessage(),
                            io.thunderstream.api.ConfigValues.formatDuration(interval),
                            forever ? "" : " up to " + count + " times");
                }
                if (!pause.pause(interval)) {
                    throw new java.io.InterruptedIOException(what + ": stopped while retrying");
                }
            }
        }
    }
}
