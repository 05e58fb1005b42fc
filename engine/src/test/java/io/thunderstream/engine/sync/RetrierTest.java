package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retries back off and are jittered, so instances returning from an outage do not retry in step. */
class RetrierTest {

    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private final List<Duration> waits = new ArrayList<>();

    private Retrier retrier(int count, boolean forever) {
        return new Retrier(INTERVAL, count, forever, d -> {
            waits.add(d);
            return true;
        });
    }

    /** A call that fails {@code failures} times, then returns "ok". */
    private static Retrier.StorageCall<String> failing(int failures) {
        int[] calls = {0};
        return () -> {
            if (calls[0]++ < failures) {
                throw new IOException("storage down");
            }
            return "ok";
        };
    }

    @Test
    void waitsDoubleFromTheIntervalUpToFourTimesItWithJitter() throws Exception {
        assertThat(retrier(100, false).call("listing", failing(40))).isEqualTo("ok");
        assertThat(waits).hasSize(40);
        for (int n = 1; n <= waits.size(); n++) {
            long base = INTERVAL.toMillis() * Math.min(1L << (n - 1), Retrier.MAX_BACKOFF);
            assertThat(waits.get(n - 1).toMillis()).as("wait %d", n).isBetween(base / 2, base * 3 / 2);
        }
        // Jitter: the capped waits are not all the same.
        assertThat(waits.subList(3, 40).stream().distinct().count()).isGreaterThan(10);
        // On average the capped waits sit near the cap, not near either end of the jitter.
        double mean = waits.subList(3, 40).stream().mapToLong(Duration::toMillis).average().orElseThrow();
        assertThat(mean).isBetween(0.8 * 4 * INTERVAL.toMillis(), 1.2 * 4 * INTERVAL.toMillis());
    }

    @Test
    void theWaitFormulaCoversTheWholeJitterRange() {
        assertThat(Retrier.wait(1, INTERVAL, 0.0)).isEqualTo(Duration.ofMillis(2500));
        assertThat(Retrier.wait(1, INTERVAL, 0.999)).isLessThan(Duration.ofMillis(7500));
        assertThat(Retrier.wait(2, INTERVAL, 0.5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Retrier.wait(3, INTERVAL, 0.5)).isEqualTo(Duration.ofSeconds(20));
        assertThat(Retrier.wait(1000, INTERVAL, 0.5)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void givesUpAfterTheRetryCountNamingTheOperation() {
        assertThatThrownBy(() -> retrier(3, false).call("db main: storing a snapshot", failing(10)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("db main: storing a snapshot: failed 4 times, giving up: storage down");
        assertThat(waits).hasSize(3);
    }

    @Test
    void retriesForeverWhenAsked() throws Exception {
        assertThat(retrier(1, true).call("listing", failing(25))).isEqualTo("ok");
        assertThat(waits).hasSize(25);
    }

    @Test
    void aMissingBlobIsNotRetried() {
        assertThatThrownBy(() -> retrier(5, false).call("download", () -> {
            throw new io.thunderstream.api.BlobNotFoundException("x");
        })).isInstanceOf(io.thunderstream.api.BlobNotFoundException.class);
        assertThat(waits).isEmpty();
    }

    @Test
    void aRunOfFailuresIsLoggedOnceAndItsEndOnce() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Retrier.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            assertThat(retrier(100, false).call("db main: storing a snapshot", failing(6))).isEqualTo("ok");
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).containsExactly(
                "db main: storing a snapshot: storage down; retrying with jittered backoff from 5s to 20s, up to 100 times",
                "db main: storing a snapshot: succeeded after 6 failed attempts");
    }

    @Test
    void stoppingEndsTheRetries() {
        Retrier stopping = new Retrier(INTERVAL, 100, true, d -> false);
        assertThatThrownBy(() -> stopping.call("listing", failing(1)))
                .isInstanceOf(java.io.InterruptedIOException.class).hasMessageContaining("stopped while retrying");
    }
}
