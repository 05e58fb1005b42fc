package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.ValueHeaderException;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.SnapshotMerger;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.SnapshotCorruptException;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Txn;

/**
 * The hostile inputs of docs/reliability.md that are not covered elsewhere. Covered elsewhere:
 * blob names with {@code ..}, absolute paths and control characters (api BlobNamesTest); keys
 * over 511 bytes, a {@code _sync_x} DBI in a remote snapshot, a snapshot of another database
 * (SnapshotMergerTest); corrupt and truncated snapshots (SnapshotMergerTest, SyncConvergenceTest).
 */
class HostileInputTest {

    private static final long T = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    private NativeLmdb app;
    private SnapshotMerger merger;

    @BeforeEach
    void open() {
        app = NativeLmdb.open(dir.resolve("app"), "data");
        merger = new SnapshotMerger(app.lmdb(), false);
    }

    @AfterEach
    void close() {
        app.close();
    }

    private void merge(Dbi... dbis) throws Exception {
        merger.merge(SnapshotSource.of("hostile", TestSnapshots.gzip("main", "remote", dbis)), 0);
    }

    @Test
    void duplicateKeysRefuseTheWholeSnapshot() {
        assertThatThrownBy(() -> merge(Dbi.of("data", Kv.of("a", "1", T), Kv.of("b", "2", T), Kv.of("b", "3", T))))
                .isInstanceOf(MergeException.class)
                .hasMessageContaining("snapshot hostile not merged: DBI data entry #2: key 62 comes twice");
        assertThat(app.contents().get("data")).as("nothing applied, not even the entries before").isEmpty();
    }

    @Test
    void entriesOutOfKeyOrderRefuseTheWholeSnapshot() {
        assertThatThrownBy(() -> merge(Dbi.of("data", Kv.of("a", "1", T), Kv.of("c", "2", T), Kv.of("b", "3", T))))
                .isInstanceOf(MergeException.class)
                .hasMessageContaining("DBI data entry #2: key 62 comes after the bigger key 63")
                .hasMessageContaining("LMDB key order");
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void keyOrderIsLmdbsOrderForTheDbiIntegerKeysInNativeOrder() throws Exception {
        // 1 < 256 as integers, though not as little-endian bytes: LMDB's order, so accepted.
        byte[] one = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array();
        byte[] big = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(256).array();
        merge(new Dbi("ids", DbiFlags.INTEGERKEY, "", List.of(new Kv(one, new byte[] {1}, T, 0), new Kv(big, new byte[] {2}, T, 0))));
        assertThat(app.contents().get("ids")).hasSize(2);

        assertThatThrownBy(() -> merge(new Dbi("ids", DbiFlags.INTEGERKEY, "",
                List.of(new Kv(big, new byte[] {1}, T + 1, 0), new Kv(one, new byte[] {2}, T + 1, 0)))))
                .isInstanceOf(MergeException.class).hasMessageContaining("DBI ids entry #1");
    }

    @Test
    void aTwoTerabyteLengthPrefixDoesNotAllocate() throws Exception {
        long twoTo40 = 1L << 40;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (byte[] hostile : List.of(
                // formatVersion 3, then a DBI of 2^40 bytes holding an entry of 2^40 bytes
                concat(new byte[] {0x08, 3}, tagAndLength(3, twoTo40), new byte[] {0x0a, 1, 'x'}, tagAndLength(2, twoTo40)),
                // a meta of 2^40 bytes
                concat(new byte[] {0x08, 3}, tagAndLength(2, twoTo40), new byte[] {1, 2, 3}),
                // an entry just under 2 GiB, of which 3 bytes arrive
                concat(new byte[] {0x08, 3}, tagAndLength(3, twoTo40), tagAndLength(2, Integer.MAX_VALUE - 100), new byte[] {1, 2, 3}))) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            assertThatThrownBy(() -> {
                try (SnapshotReader r = new SnapshotReader(new ByteArrayInputStream(hostile))) {
                    while (r.next() != SnapshotReader.Event.END) {
                        // read on
                    }
                }
            }).isInstanceOf(SnapshotCorruptException.class);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as("bytes allocated decoding a hostile length").isLessThan(8L << 20);
        }
    }

    @Test
    void aSnapshotClaimingThisInstanceButAnotherDatabaseIsRejectedAndTheInstanceCarriesOn() throws Exception {
        try (StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())))) {
            String forged = SnapshotName.of("main", "node-a", Instant.parse("2030-01-01T00:00:00Z")).toString();
            bucket.write(forged, TestSnapshots.gzip("shard", "node-a", Dbi.of("data", Kv.of("forged", "x", T))));
            try (SyncTestInstance a = new SyncTestInstance("node-a", dir.resolve("node-a"), bucket, false, "data")) {
                a.app.put("data", "mine", "1", T + 1);
                a.start();
                assertThat(a.rejected).containsExactly(forged);
                assertThat(a.app.get("data", "forged")).isNull();
                Await.until("node-a stored its own snapshot", Duration.ofSeconds(30), () -> !a.stored.isEmpty());
            }
        }
    }

    @Test
    void aLocalValueTooShortForAHeaderStopsTheSyncerNamingDbiAndKeyWithoutRetrying() throws Exception {
        try (StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())))) {
            try (SyncTestInstance a = new SyncTestInstance("node-a", dir.resolve("node-a"), bucket, false, "data")) {
                try (Txn<ByteBuffer> txn = a.app.env().txnWrite()) {
                    var dbi = a.app.env().openDbi(txn, "data".getBytes(), null, false);
                    dbi.put(txn, ByteBuffer.allocateDirect(5).put("short".getBytes()).flip(),
                            ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip());
                    txn.commit();
                }
                assertThatThrownBy(a::start).hasMessageContaining("no first pass");
                a.stop();
                assertThat(a.failures).singleElement()
                        .isInstanceOf(ValueHeaderException.class)
                        .extracting(Throwable::getMessage).asString()
                        .contains("DBI data").contains("short").contains("shorter than its header");
                assertThat(bucket.list("")).as("no snapshot stored").isEmpty();
            }
        }
    }

    private static byte[] tagAndLength(int field, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(field << 3 | 2);
        for (long v = length; ; v >>>= 7) {
            if ((v & ~0x7fL) == 0) {
                out.write((int) v);
                break;
            }
            out.write((int) (v & 0x7f) | 0x80);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
