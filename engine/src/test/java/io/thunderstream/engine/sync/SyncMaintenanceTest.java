package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sweeper.SweepStats;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner and the sweeper as a running syncer starts them, and the merge's tombstone cutoff. */
class SyncMaintenanceTest {

    private static final long DAY = 86_400_000_000_000L;

    @TempDir
    Path dir;

    private StorageBackend bucket;

    @BeforeEach
    void openBucket() throws Exception {
        bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
    }

    @AfterEach
    void closeBucket() throws Exception {
        bucket.close();
    }

    private ThunderstreamConfig config(String extra) {
        return ThunderstreamConfig.parse("""
                instance: alpha
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                storage:
                  type: memory
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                storage_retry_interval: 100ms
                """.formatted(dir.resolve("lmdb")) + extra, Map.of());
    }

    private static long now() {
        return Clock.SYSTEM.nanosSinceEpoch();
    }

    private List<String> snapshotsOf(String instance) throws Exception {
        return bucket.list("main__").stream().map(BlobInfo::name)
                .filter(n -> SnapshotName.parse(n).map(s -> s.instance().equals(instance)).orElse(false)).toList();
    }

    @Test
    void theCleanerOfARunningSyncerKeepsOnlyTheNewestSnapshots() throws Exception {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                instance: alpha
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                storage:
                  type: memory
                  cleanup:
                    enabled: true
                    interval: 100ms
                    must_keep_interval: 0s
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                """.formatted(dir.resolve("lmdb")), Map.of());
        List<String> deleted = new CopyOnWriteArrayList<>();
        try (NativeLmdb app = NativeLmdb.open(dir.resolve("lmdb"), "data");
                Syncer syncer = Syncer.builder(config).storage(bucket).environment("main", app.env())
                        .listener(new SyncListener() {
                            @Override
                            public void cleanerDeleted(String db, String name, String reason, Exception why) {
                                deleted.add(name);
                            }
                        }).build()) {
            app.put("data", "k0", "v0", now());
            syncer.start();
            assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).isTrue();
            for (int i = 1; i <= 4; i++) {
                int stored = deleted.size() + snapshotsOf("alpha").size();
                app.put("data", "k" + i, "v" + i, now());
                Await.until("snapshot " + i, Duration.ofSeconds(30), () -> {
                    try {
                        return deleted.size() + snapshotsOf("alpha").size() > stored;
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
            Await.until("only the newest snapshot left", Duration.ofSeconds(30), () -> {
                try {
                    return snapshotsOf("alpha").size() == 1 && deleted.size() == 4;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, () -> "deleted " + deleted);
        }
    }

    @Test
    void theSweeperOfARunningSyncerRemovesOldTombstonesAndMergesSkipThem() throws Exception {
        ThunderstreamConfig config = config("""
                sweeper:
                  enabled: true
                  retention_days: 1
                  first_interval: 200ms
                  interval: 1h
                """);
        List<SweepStats> sweeps = new CopyOnWriteArrayList<>();
        List<String> merged = new CopyOnWriteArrayList<>();
        long now = now();
        // Another instance's snapshot: one tombstone past the load cutoff (0.99 days), one within it.
        bucket.write(SnapshotName.of("main", "remote", Instant.now()).toString(), TestSnapshots.gzip("main", "remote",
                TestSnapshots.Dbi.of("data", Kv.deleted("remote-old", now - DAY), Kv.deleted("remote-recent", now - DAY / 2))));
        try (NativeLmdb app = NativeLmdb.open(dir.resolve("lmdb"), "data")) {
            app.delete("data", "local-old", now - 2 * DAY);
            app.delete("data", "local-recent", now - DAY / 2);
            app.put("data", "live", "value", now - 3 * DAY);
            try (Syncer syncer = Syncer.builder(config).storage(bucket).environment("main", app.env())
                    .listener(new SyncListener() {
                        @Override
                        public void sweepDone(String db, SweepStats stats) {
                            sweeps.add(stats);
                        }

                        @Override
                        public void snapshotMerged(String db, String name, MergeResult result) {
                            merged.add(name);
                        }
                    }).build()) {
                syncer.start();
                assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).isTrue();
                Await.until("a sweep", Duration.ofSeconds(30), () -> !sweeps.isEmpty());
            }
            assertThat(merged).hasSize(1);
            assertThat(sweeps.get(0).cleaned()).isEqualTo(1);
            Map<String, NativeLmdb.Entry> data = app.contents().get("data");
            assertThat(data.keySet()).containsExactlyInAnyOrder(hex("local-recent"), hex("live"), hex("remote-recent"));
            assertThat(data.get(hex("remote-recent")).flags()).isEqualTo(ValueHeader.FLAG_DELETED);
        }
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }
}
