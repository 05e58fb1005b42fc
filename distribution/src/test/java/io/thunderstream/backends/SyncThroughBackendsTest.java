package io.thunderstream.backends;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.storage.Storage;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.backend.azure.Azurite;
import io.thunderstream.backend.azure.AzuriteExtension;
import io.thunderstream.backend.gcs.GcsFakes;
import io.thunderstream.backend.s3.S3ProxyServer;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.SyncTestInstance;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances on real LMDBs converging through each real backend: S3 (S3Proxy), Azure
 * (Azurite) and GCS (Google's in-process fake). Every instance has a backend of its own on the
 * shared bucket, as separate hosts would.
 */
class SyncThroughBackendsTest {

    private static final Duration CONVERGE = Duration.ofSeconds(60);

    /** One scenario, run through every backend. */
    abstract static class Scenario {

        @TempDir
        Path dir;

        private final List<SyncTestInstance> instances = new ArrayList<>();
        private final List<StorageBackend> backends = new ArrayList<>();
        private long clock = 1_700_000_000_000_000_000L;

        /** A new backend on this test's bucket; called once per instance. */
        abstract StorageBackend openBackend() throws Exception;

        @AfterEach
        void closeAll() throws Exception {
            for (SyncTestInstance i : instances) {
                i.close();
            }
            for (StorageBackend b : backends) {
                b.close();
            }
        }

        private SyncTestInstance instance(String name) throws Exception {
            StorageBackend backend = openBackend();
            backends.add(backend);
            SyncTestInstance i = new SyncTestInstance(name, dir.resolve(name), backend, false, "domains", "records");
            instances.add(i);
            return i;
        }

        @Test
        void threeInstancesConvergeWithARestartAndDeletes() throws Exception {
            SyncTestInstance a = instance("node-a");
            SyncTestInstance b = instance("node-b");
            SyncTestInstance c = instance("node-c");
            Map<String, Entry> expected = new TreeMap<>();
            // a has data before anyone syncs: its initial snapshot seeds the bucket.
            for (int i = 0; i < 50; i++) {
                put(a, expected, "records", "r" + i, "from-a-" + i);
            }
            a.start();
            b.start();
            c.start();
            put(b, expected, "domains", "example.org", "from-b");
            put(c, expected, "records", "r7", "from-c");
            Await.until("everyone has c's r7", CONVERGE, () -> "from-c".equals(a.app.get("records", "r7"))
                    && "from-c".equals(b.app.get("records", "r7")));

            b.stop(); // b's application keeps writing while its syncer is down
            put(b, expected, "domains", "while-down", "b-offline");
            delete(a, expected, "records", "r3");
            put(c, expected, "records", "r8", "from-c-later");
            b.start();

            awaitSame(a, b, c);
            assertThat(flatten(c)).isEqualTo(expected);
            assertThat(a.rejected).isEmpty();
            assertThat(b.rejected).isEmpty();
            assertThat(c.rejected).isEmpty();
        }

        private void put(SyncTestInstance at, Map<String, Entry> expected, String dbi, String key, String value) {
            long ts = ++clock;
            at.app.put(dbi, key, value, ts);
            expected.put(dbi + "/" + key, new Entry(ts, 0, HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8))));
        }

        private void delete(SyncTestInstance at, Map<String, Entry> expected, String dbi, String key) {
            long ts = ++clock;
            at.app.delete(dbi, key, ts);
            expected.put(dbi + "/" + key, new Entry(ts, ValueHeader.FLAG_DELETED, ""));
        }

        private static Map<String, Entry> flatten(SyncTestInstance i) {
            Map<String, Entry> out = new TreeMap<>();
            i.app.contents().forEach((dbi, entries) -> entries.forEach((k, e) ->
                    out.put(dbi + "/" + new String(HexFormat.of().parseHex(k), StandardCharsets.UTF_8), e)));
            return out;
        }

        private static void awaitSame(SyncTestInstance... all) throws InterruptedException {
            Await.until("identical LMDBs", CONVERGE, () -> {
                var first = all[0].app.contents();
                for (SyncTestInstance i : all) {
                    if (!i.app.contents().equals(first)) {
                        return false;
                    }
                }
                return true;
            }, () -> {
                StringBuilder s = new StringBuilder();
                for (SyncTestInstance i : all) {
                    s.append('\n').append(i.name).append(": ").append(i.app.contents());
                }
                return s.toString();
            });
        }
    }

    @Nested
    class ThroughS3 extends Scenario {
        private String bucket;

        @Override
        StorageBackend openBackend() throws Exception {
            S3ProxyServer server = S3ProxyServer.get();
            if (bucket == null) {
                bucket = server.newBucket();
            }
            return StorageBackends.discover(getClass().getClassLoader()).open(StorageConfig.of("s3", server.options(bucket)));
        }
    }

    @Nested
    @ExtendWith(AzuriteExtension.class)
    class ThroughAzure extends Scenario {
        private static final AtomicInteger CONTAINERS = new AtomicInteger();
        private Azurite azurite;
        private String container;

        @org.junit.jupiter.api.BeforeEach
        void azurite(Azurite started) {
            azurite = started;
            container = "sync-" + ProcessHandle.current().pid() + "-" + CONTAINERS.incrementAndGet();
        }

        @Override
        StorageBackend openBackend() throws Exception {
            Map<String, Object> options = new HashMap<>(azurite.options(container));
            return StorageBackends.discover(getClass().getClassLoader()).open(StorageConfig.of("azure", options));
        }
    }

    @Nested
    class ThroughGcs extends Scenario {
        private final Storage fake = GcsFakes.newFake();

        @Override
        StorageBackend openBackend() throws Exception {
            return GcsFakes.open(fake);
        }
    }
}
