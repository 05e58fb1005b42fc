package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * An LMDB whose map_size is too small for a remote snapshot, in native and in shadow mode: the
 * merge fails naming the db and map_size, applies nothing, and stops the syncer instead of
 * skipping the snapshot for good; a restart with a larger map_size merges it (docs/reliability.md).
 */
class LmdbFullTest {

    @TempDir
    Path dir;

    private static ThunderstreamConfig config(Path lmdb, String mapSize, boolean schemaTracksChanges) {
        return ThunderstreamConfig.parse("""
                instance: small
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: %s
                    options:
                      create: true
                      map_size: %s
                storage:
                  type: memory
                """.formatted(lmdb, schemaTracksChanges, mapSize) + SyncTestInstance.FAST, Map.of());
    }

    @ParameterizedTest(name = "schema_tracks_changes: {0}")
    @ValueSource(booleans = {true, false})
    void aFullLmdbStopsTheSyncerWithoutSkippingTheSnapshotAndARestartWithALargerMapMergesIt(boolean schemaTracksChanges)
            throws Exception {
        try (StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())))) {
            // A big instance stores about 5 MB of data. Its first entry alone does not fit into 1 MB, so
            // the first write fails: in shadow mode the one into the application's DBI, before its shadow.
            try (SyncTestInstance big = new SyncTestInstance("big", dir.resolve("big"), bucket, false, "records")) {
                String value = "x".repeat(10_000);
                for (int i = 0; i < 300; i++) {
                    big.app.put("records", "r" + i, i == 0 ? "x".repeat(2_000_000) : value, 1_700_000_000_000_000_000L + i);
                }
                big.start();
                Await.until("big stored its snapshot", Duration.ofSeconds(30), () -> !big.stored.isEmpty());
            }

            Path small = dir.resolve("small");
            List<String> rejected = new CopyOnWriteArrayList<>();
            SyncListener listener = new SyncListener() {
                @Override
                public void snapshotRejected(String db, String name, Exception why) {
                    rejected.add(name);
                }
            };
            try (Syncer syncer = Syncer.builder(config(small, "1MB", schemaTracksChanges)).storage(bucket).listener(listener).build()) {
                syncer.start();
                assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).as("first pass of a full LMDB").isFalse();
                assertThatThrownBy(syncer::awaitTermination)
                        .isInstanceOf(MergeException.class)
                        .hasMessageContaining("lmdb main: snapshot main__big__")
                        .hasMessageContaining("the LMDB is full (map_size 1048576 bytes)")
                        .hasMessageContaining("raise lmdbs.main.options.map_size");
            }
            assertThat(rejected).as("a full LMDB is not the snapshot's fault").isEmpty();
            assertThat(entries(small, "records")).as("nothing half-applied").isZero();

            try (Syncer syncer = Syncer.builder(config(small, "64MB", schemaTracksChanges)).storage(bucket).listener(listener).build()) {
                syncer.start();
                assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(entries(small, "records")).isEqualTo(300);
        }
    }

    private static long entries(Path lmdb, String dbiName) {
        try (NativeLmdb probe = NativeLmdb.open(lmdb)) {
            Env<ByteBuffer> env = probe.env();
            if (!env.getDbiNames().stream().map(String::new).toList().contains(dbiName)) {
                return 0;
            }
            Dbi<ByteBuffer> dbi = env.openDbi(dbiName);
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                return dbi.stat(txn).entries;
            }
        }
    }
}
