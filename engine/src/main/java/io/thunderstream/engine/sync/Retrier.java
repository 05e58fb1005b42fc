package io.thunderstream.engine.sync;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a storage operation up to {@code storage_retry_count} times or forever, logging a
 * failure once per run of failures and not once per attempt. The waits back off and are
 * jittered, so that many instances coming back from one outage do not retry in step: the n-th
 * wait is {@code storage_retry_interval * 2^(n-1)}, at most {@link #MAX_BACKOFF} times the
 * interval, times a random factor in [0.5, 1.5).
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

    /** The longest wait, in multiples of the retry interval. */
    static final int MAX_BACKOFF = 4;

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
                    log.warn("{}: {}; retrying with jittered backoff from {} to {}{}", what, e.getMessage(),
                            io.thunderstream.api.ConfigValues.formatDuration(interval),
                            io.thunderstream.api.ConfigValues.formatDuration(interval.multipliedBy(MAX_BACKOFF)),
                            forever ? "" : ", up to " + count + " times");
                }
                if (!pause.pause(wait(failures, interval, java.util.concurrent.ThreadLocalRandom.current().nextDouble()))) {
                    throw new java.io.InterruptedIOException(what + ": stopped while retrying");
                }
            }
        }
    }

    /** The wait after the {@code failures}-th failure in a row, for a {@code random} number in [0, 1). */
    static Duration wait(int failures, Duration interval, double random) {
        long backoff = 1L << Math.min(failures - 1, Integer.numberOfTrailingZeros(MAX_BACKOFF));
        return Duration.ofNanos((long) (interval.toNanos() * backoff * (0.5 + random)));
    }
}
