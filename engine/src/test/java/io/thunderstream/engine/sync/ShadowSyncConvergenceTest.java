package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.shadow.DupsortHackException;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.PlainLmdb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.DbiFlags;

/** Shadow-mode instances (values without headers, DUPSORT DBIs) on real LMDB files syncing through the fs backend. */
class ShadowSyncConvergenceTest {

    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final Map<String, DbiFlags[]> DBIS = Map.of(
            "domains", new DbiFlags[0],
            "records", new DbiFlags[] {DbiFlags.MDB_DUPSORT});

    @TempDir
    Path dir;

    private StorageBackend bucket;
    private final List<Instance> instances = new ArrayList<>();

    /** An application's plain LMDB with a shadow-mode syncer on it, restartable. */
    private final class Instance implements AutoCloseable {
        final String name;
        final PlainLmdb app;
        final List<String> stored = new CopyOnWriteArrayList<>();
        final List<String> merged = new CopyOnWriteArrayList<>();
        Syncer syncer;

        Instance(String name) {
            this.name = name;
            this.app = PlainLmdb.open(dir.resolve(name), DBIS);
            instances.add(this);
        }

        Instance start() throws InterruptedException {
            syncer = build();
            syncer.start();
            if (!syncer.awaitFirstPass(Duration.ofSeconds(30))) {
                throw new AssertionError(name + ": no first pass within 30 s");
            }
            return this;
        }

        Syncer build() {
            ThunderstreamConfig config = ThunderstreamConfig.parse("""
                    instance: %s
                    lmdbs:
                      main:
                        path: %s
                        schema_tracks_changes: false
                        dupsort_hack: true
                    storage:
                      type: memory
                    lmdb_poll_interval: 100ms
                    storage_poll_interval: 100ms
                    storage_retry_interval: 100ms
                    """.formatted(name, app.dir()), Map.of());
            return Syncer.builder(config).storage(bucket).environment("main", app.env())
                    .listener(new SyncListener() {
                        @Override
                        public void snapshotStored(String db, String snapshot, long txnId, long bytes) {
                            stored.add(snapshot);
                        }

                        @Override
                        public void snapshotMerged(String db, String snapshot, MergeResult result) {
                            merged.add(snapshot);
                        }
                    })
                    .build();
        }

        void stop() throws InterruptedException {
            if (syncer != null) {
                syncer.close();
                syncer = null;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            app.close();
        }
    }

    @BeforeEach
    void openBucket() throws Exception {
        bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Instance i : instances) {
            i.close();
        }
        bucket.close();
    }

    private static void awaitSame(Instance... all) throws InterruptedException {
        Await.until("identical LMDBs", CONVERGE, () -> {
            var first = all[0].app.contents();
            for (Instance i : all) {
                if (!i.app.contents().equals(first)) {
                    return false;
                }
            }
            return true;
        }, () -> {
            StringBuilder s = new StringBuilder();
            for (Instance i : all) {
                s.append('\n').append(i.name).append(": ").append(i.app.contents());
            }
            return s.toString();
        });
    }

    private static void awaitEverywhere(String what, java.util.function.Predicate<Map<String, List<String>>> condition,
            Instance... all) throws InterruptedException {
        for (Instance i : all) {
            Await.until(what + " on " + i.name, CONVERGE, () -> condition.test(i.app.contents()),
                    () -> i.app.contents().toString());
        }
    }

    @Test
    void threeShadowModeWritersWithDupsortDbisAndARestartConverge() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Instance a = new Instance("node-a").start();
        Instance b = new Instance("node-b").start();
        Instance c = new Instance("node-c").start();
        List<Instance> all = List.of(a, b, c);

        // Every instance's own data reaches the others, values of DUPSORT keys included.
        for (Instance i : all) {
            i.app.put("domains", i.name + ".example", "zone-of-" + i.name);
            i.app.put("records", i.name + ".example", "A 192.0.2.1");
            i.app.put("records", i.name + ".example", "A 192.0.2.2");
        }
        awaitEverywhere("every instance's records", m -> m.get("records").size() == 6, a, b, c);
        awaitSame(a, b, c);

        for (int round = 0; round < 6; round++) {
            if (round == 2) {
                b.stop(); // b's application keeps writing while its syncer is down
            }
            if (round == 4) {
                b.start();
            }
            for (int n = 0; n < 30; n++) {
                Instance at = all.get(random.nextInt(3));
                String key = "key-" + random.nextInt(20);
                switch (random.nextInt(4)) {
                    case 0 -> at.app.put("domains", key, "v" + random.nextInt(1000));
                    case 1 -> at.app.delete("domains", key);
                    case 2 -> at.app.put("records", key, "v" + random.nextInt(5));
                    default -> at.app.delete("records", key, "v" + random.nextInt(5));
                }
            }
            Thread.sleep(150); // let some rounds overlap with syncing, others not
        }
        awaitSame(a, b, c);

        // After convergence, single changes travel: a new value of a DUPSORT key, then its delete.
        c.app.put("records", "final.example", "AAAA 2001:db8::1");
        awaitEverywhere("c's new record", m -> m.get("records").contains("final.example=AAAA 2001:db8::1"), a, b, c);
        a.app.delete("records", "final.example", "AAAA 2001:db8::1");
        awaitEverywhere("a's delete", m -> !m.get("records").contains("final.example=AAAA 2001:db8::1"), a, b, c);
        awaitSame(a, b, c);
        assertThat(a.app.contents().get("domains")).as("seed %d", seed).contains("node-a.example=zone-of-node-a");
    }

    @Test
    void aSyncerWhoseLmdbWasDeletedGetsEverythingBack() throws Exception {
        Instance a = new Instance("node-a").start();
        Instance b = new Instance("node-b").start();
        a.app.put("records", "x.example", "A 192.0.2.7");
        b.app.put("domains", "y.example", "zone");
        awaitEverywhere("both changes", m -> m.get("records").size() == 1 && m.get("domains").size() == 1, a, b);
        b.close();
        instances.remove(b);

        Instance again = new Instance("node-b-new");
        again.start();
        awaitSame(a, again);
        assertThat(again.app.contents().get("records")).containsExactly("x.example=A 192.0.2.7");
        assertThat(again.app.contents().get("domains")).containsExactly("y.example=zone");
    }

    @Test
    void aDupsortHackErrorStopsTheSyncerWithTheReasonAndWritesNothing() throws Exception {
        Instance a = new Instance("node-a");
        a.app.put("records", "k".repeat(300), "v");
        long txn = a.app.lastTxnId();
        Syncer syncer = a.build();
        syncer.start();
        assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).isFalse();
        assertThatThrownBy(syncer::awaitTermination).isInstanceOf(DupsortHackException.class)
                .hasMessageContaining("key of 300 bytes; dupsort_hack takes keys of at most 255 bytes");
        syncer.close();
        assertThat(a.app.lastTxnId()).isEqualTo(txn);
        assertThat(bucket.list("main__")).isEmpty();
    }
}
