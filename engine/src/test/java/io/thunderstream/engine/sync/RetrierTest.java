package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.thunderstream.api.BlobNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RetrierTest {

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final List<Duration> pauses = new ArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(Retrier.class);

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    private Retrier retrier(int count, boolean forever) {
        return new Retrier(Duration.ofSeconds(5), count, forever, d -> pauses.add(d));
    }

    @Test
    void aRunOfFailuresIsLoggedOnceAndItsEndOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = retrier(100, false).call("db main: storing a snapshot", () -> {
            if (calls.incrementAndGet() < 7) {
                throw new IOException("bucket unreachable");
            }
            return "stored";
        });
        assertThat(result).isEqualTo("stored");
        assertThat(pauses).hasSize(6).containsOnly(Duration.ofSeconds(5));
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "db main: storing a snapshot: bucket unreachable; retrying every 5s up to 100 times",
                "db main: storing a snapshot: succeeded after 6 failed attempts");
    }

    @Test
    void givesUpAfterTheRetryCount() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier(3, false).call("listing", () -> {
            calls.incrementAndGet();
            throw new IOException("down");
        })).isInstanceOf(IOException.class).hasMessageContaining("listing: failed 4 times, giving up: down");
        assertThat(calls).hasValue(4);
    }

    @Test
    void aMissingBlobIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier(3, false).call("download", () -> {
            calls.incrementAndGet();
            throw new BlobNotFoundException("x");
        })).isInstanceOf(BlobNotFoundException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void stoppingEndsTheRetries() {
        Retrier stopping = new Retrier(Duration.ofSeconds(5), 100, true, d -> false);
        assertThatThrownBy(() -> stopping.call("listing", () -> {
            throw new IOException("down");
        })).isInstanceOf(java.io.InterruptedIOException.class).hasMessageContaining("stopped while retrying");
    }
}
