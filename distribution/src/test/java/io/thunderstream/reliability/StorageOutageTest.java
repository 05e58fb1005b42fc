package io.thunderstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.ConfigValues;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.backend.s3.S3ProxyServer;
import io.thunderstream.engine.status.Health;
import io.thunderstream.engine.sync.SyncTestInstance;
import io.thunderstream.engine.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 server stops mid-run and comes back: the instances keep taking local writes, retry
 * with backoff rather than in a storm, health turns warning then error and back to OK, and they
 * converge with nothing lost once it is back. The
 * outage lasts 5 s here (the behaviour is the same as for 30 s, only slower); any length with
 * {@code -Dthunderstream.outage.duration=30s}.
 */
class StorageOutageTest {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(200);

    @TempDir
    Path dir;

    /** Counts the calls that reach the backend, to tell a retry storm from backoff. */
    static final class Counting implements StorageBackend {
        final AtomicInteger lists = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        private final StorageBackend inner;

        Counting(StorageBackend inner) {
            this.inner = inner;
        }

        @Override
        public List<BlobInfo> list(String prefix) throws IOException {
            lists.incrementAndGet();
            return inner.list(prefix);
        }

        @Override
        public InputStream read(String name) throws IOException {
            return inner.read(name);
        }

        @Override
        public void write(String name, InputStream data, long size) throws IOException {
            writes.incrementAndGet();
            inner.write(name, data, size);
        }

        @Override
        public void delete(String name) throws IOException {
            inner.delete(name);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    @Test
    void twoInstancesRideOutAnS3OutageAndConvergeWithNothingLost() throws Exception {
        Duration outage = ConfigValues.parseDuration(System.getProperty("thunderstream.outage.duration", "5s"));
        String settings = """
                lmdb_poll_interval: 100ms
                storage_poll_interval: 500ms
                storage_retry_interval: %s
                storage_retry_count: 1000
                health:
                  storage_store: {interval: 1s, warn_duration: 1s, error_duration: 2s}
                  storage_list: {interval: 1s, warn_duration: 1s, error_duration: 2s}
                """.formatted(ConfigValues.formatDuration(RETRY_INTERVAL));
        try (S3ProxyServer server = S3ProxyServer.startPrivate()) {
            String bucket = server.newBucket();
            Counting storageA = new Counting(StorageBackends.discover(getClass().getClassLoader())
                    .open(StorageConfig.of("s3", server.options(bucket))));
            Counting storageB = new Counting(StorageBackends.discover(getClass().getClassLoader())
                    .open(StorageConfig.of("s3", server.options(bucket))));
            try (storageA; storageB;
                    SyncTestInstance a = new SyncTestInstance("node-a", dir.resolve("a"), storageA, false, "records").settings(settings);
                    SyncTestInstance b = new SyncTestInstance("node-b", dir.resolve("b"), storageB, false, "records").settings(settings)) {
                Health health = new Health(a.config().health(), List.of("main"));
                a.listener(health);
                long ts = 1_700_000_000_000_000_000L;
                a.app.put("records", "before", "1", ++ts);
                a.start();
                b.start();
                Await.until("b has a's first write", CONVERGE, () -> "1".equals(b.app.get("records", "before")));

                server.stop();
                int listsBefore = storageA.lists.get();
                int writesBefore = storageA.writes.get();
                for (int i = 0; i < 5; i++) {
                    a.app.put("records", "during-a-" + i, "a" + i, ++ts);
                }
                b.app.put("records", "during-b", "b", ++ts);
                long outageStart = System.nanoTime();
                // Health follows the failing storage: a warning after warn_duration, an error (503) after error_duration.
                Await.until("health warns", outage, () -> health.report().hasWarnings() || !health.report().ok(),
                        () -> health.report().toJson());
                Await.until("health fails", outage, () -> !health.report().ok(), () -> health.report().toJson());
                assertThat(health.report().failures()).containsKey("main_storage_store_failed_duration");
                long left = outage.toNanos() - (System.nanoTime() - outageStart);
                Thread.sleep(Math.max(0, left / 1_000_000)); // the rest of the outage itself: the server is down
                int storeAttempts = storageA.writes.get() - writesBefore;
                int listAttempts = storageA.lists.get() - listsBefore;
                server.restart();

                Await.until("both have every write", CONVERGE, () -> {
                    for (var i : List.of(a, b)) {
                        if (i.app.get("records", "during-b") == null || i.app.get("records", "during-a-4") == null) {
                            return false;
                        }
                    }
                    return a.app.contents().equals(b.app.contents());
                }, () -> "\na: " + a.app.contents() + "\nb: " + b.app.contents());
                assertThat(a.app.contents().get("records")).hasSize(7);
                Await.until("health back to OK", CONVERGE, () -> health.report().status().equals("OK"),
                        () -> health.report().toJson());

                // Fixed-interval retries would have made outage / interval store attempts; backoff makes far fewer.
                long fixedIntervalAttempts = outage.toMillis() / RETRY_INTERVAL.toMillis();
                assertThat(storeAttempts).as("store attempts during a %s outage", ConfigValues.formatDuration(outage))
                        .isPositive().isLessThanOrEqualTo((int) Math.max(4, fixedIntervalAttempts / 2));
                // Listings keep to the poll interval (500 ms) and do not speed up on failure.
                assertThat(listAttempts).isLessThanOrEqualTo((int) (outage.toMillis() / 500) + 3);

                a.stop();
                b.stop();
                assertThat(a.failures).isEmpty();
                assertThat(b.failures).isEmpty();
            }
        }
    }
}
