package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.NativeLmdb.Entry;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Txn;

class SnapshotMergerTest {

    private static final long T = 1_700_000_000_000_000_000L;

    @TempDir
    java.nio.file.Path dir;

    private NativeLmdb app;
    private SnapshotMerger merger;

    @BeforeEach
    void open() {
        app = NativeLmdb.open(dir, "data");
        merger = new SnapshotMerger(app.lmdb(), false);
    }

    @AfterEach
    void close() {
        app.close();
    }

    private MergeResult merge(Dbi... dbis) throws IOException {
        return merger.merge(SnapshotSource.of("test-snapshot", TestSnapshots.gzip("main", "remote", dbis)), 0);
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    private Entry entry(String dbi, String key) {
        return app.contents().getOrDefault(dbi, Map.of()).get(hex(key));
    }

    @Test
    void absentKeysAreWrittenWithTheirTimestampAndDeletedFlag() throws IOException {
        MergeResult result = merge(Dbi.of("data", Kv.of("a", "alpha", T), Kv.deleted("b", T + 1)));
        assertThat(result.entriesRead()).isEqualTo(2);
        assertThat(result.entriesWritten()).isEqualTo(2);
        assertThat(result.committedTxnId()).isEqualTo(app.lastTxnId());
        assertThat(entry("data", "a")).isEqualTo(new Entry(T, 0, hex("alpha")));
        assertThat(entry("data", "b")).isEqualTo(new Entry(T + 1, ValueHeader.FLAG_DELETED, ""));
    }

    @Test
    void newerTimestampWinsOlderLoses() throws IOException {
        app.put("data", "old", "local", T);
        app.put("data", "new", "local", T + 10);
        merge(Dbi.of("data", Kv.of("new", "remote", T + 5), Kv.of("old", "remote", T + 5)));
        assertThat(app.get("data", "old")).isEqualTo("remote");
        assertThat(app.get("data", "new")).isEqualTo("local");
    }

    @Test
    void remoteDeleteNewerThanLocalValueDeletesIt() throws IOException {
        app.put("data", "k", "value", T);
        merge(Dbi.of("data", Kv.deleted("k", T + 1)));
        assertThat(entry("data", "k")).isEqualTo(new Entry(T + 1, ValueHeader.FLAG_DELETED, ""));
        assertThat(app.get("data", "k")).isNull();
    }

    @Test
    void sameTimestampBiggerValueWinsInUnsignedByteOrder() throws IOException {
        app.write("data", "k1".getBytes(), new byte[] {0x7f}, T, 0);
        app.write("data", "k2".getBytes(), new byte[] {(byte) 0x80}, T, 0);
        merge(new Dbi("data", 0, "", List.of(
                new Kv("k1".getBytes(), new byte[] {(byte) 0x80}, T, 0),
                new Kv("k2".getBytes(), new byte[] {0x7f}, T, 0))));
        assertThat(entry("data", "k1").valueHex()).isEqualTo("80");
        assertThat(entry("data", "k2").valueHex()).isEqualTo("80");
    }

    @Test
    void aSnapshotThatChangesNothingLeavesTheTxnIdAlone() throws IOException {
        Dbi data = Dbi.of("data", Kv.of("a", "alpha", T), Kv.of("b", "beta", T));
        assertThat(merge(data).changedAnything()).isTrue();
        long txn = app.lastTxnId();
        MergeResult again = merge(data);
        assertThat(again.entriesWritten()).isZero();
        assertThat(again.committedTxnId()).isZero();
        assertThat(app.lastTxnId()).isEqualTo(txn);
    }

    @Test
    void formatOneEmptyValuesAreDeletes() throws IOException {
        new SnapshotMerger(app.lmdb(), false).merge(SnapshotSource.of("v1-legacy", TestSnapshots.vector("v1-legacy")), 0);
        assertThat(entry("kv", "gone").flags()).isEqualTo(ValueHeader.FLAG_DELETED);
        assertThat(app.get("kv", "here")).isEqualTo("value");
    }

    @Test
    void oldTombstonesForAbsentKeysAreSkippedWhenTheSweeperRuns() throws IOException {
        app.put("data", "present", "x", T - 100);
        merger.merge(SnapshotSource.of("s", TestSnapshots.gzip("main", "remote",
                Dbi.of("data", Kv.deleted("absent", T - 50), Kv.deleted("present", T - 50), Kv.deleted("recent", T + 50)))), T);
        assertThat(entry("data", "absent")).isNull();
        assertThat(entry("data", "present").flags()).isEqualTo(ValueHeader.FLAG_DELETED);
        assertThat(entry("data", "recent").flags()).isEqualTo(ValueHeader.FLAG_DELETED);
    }

    @Test
    void privateDbisInASnapshotAreSkipped() throws IOException {
        merge(Dbi.of("_sync_evil", Kv.of("x", "y", T)), Dbi.of("data", Kv.of("a", "b", T)));
        assertThat(app.contents()).containsOnlyKeys("data");
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            assertThat(app.lmdb().dbiNames(txn)).doesNotContain("_sync_evil");
            app.lmdb().commit(txn);
        }
    }

    @Test
    void newDbisAreCreatedWithTheSnapshotsFlagsEvenWhenTheWireCarriesThemLast() throws IOException {
        // v3-basic was encoded in field-number order: "records" has INTEGERKEY after its entries.
        MergeResult result = merger.merge(SnapshotSource.of("v3-basic", TestSnapshots.vector("v3-basic")), 0);
        assertThat(result.entriesWritten()).isEqualTo(8);
        var records = app.env().openDbi("records");
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            assertThat(records.listFlags(txn)).contains(DbiFlags.MDB_INTEGERKEY);
        }
        assertThat(app.contents().get("records")).hasSize(4);
    }

    @Test
    void aTransformInNativeModeIsRefusedAndNothingIsApplied() {
        long txn = app.lastTxnId();
        assertThatThrownBy(() -> merge(Dbi.of("data", Kv.of("a", "b", T)), new Dbi("dup", 4, "dupsort_hack_v1", List.of())))
                .isInstanceOf(MergeException.class)
                .hasMessageContaining("snapshot test-snapshot")
                .hasMessageContaining("transform");
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(entry("data", "a")).isNull();
    }

    @Test
    void aTruncatedSnapshotAppliesNothing() {
        byte[] whole = TestSnapshots.gzip("main", "remote", Dbi.of("data", Kv.of("a", "alpha", T), Kv.of("b", "beta", T)));
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 12);
        long txn = app.lastTxnId();
        assertThatThrownBy(() -> merger.merge(SnapshotSource.of("cut", truncated), 0)).isInstanceOf(IOException.class);
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void aSnapshotOfAnotherDatabaseIsRefused() {
        byte[] shard = TestSnapshots.gzip("shard", "remote", Dbi.of("data", Kv.of("a", "b", T)));
        assertThatThrownBy(() -> merger.merge(SnapshotSource.of("shard-snap", shard), 0))
                .isInstanceOf(MergeException.class).hasMessageContaining("database \"shard\"");
    }

    @Test
    void keysLmdbCannotStoreAreRefused() {
        byte[] longKey = new byte[512];
        assertThatThrownBy(() -> merge(new Dbi("data", 0, "", List.of(new Kv(longKey, new byte[] {1}, T, 0)))))
                .isInstanceOf(MergeException.class).hasMessageContaining("key of 512 bytes");
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void corruptSnapshotsAreFormatErrors() {
        assertThatThrownBy(() -> merger.merge(SnapshotSource.of("bad", TestSnapshots.vector("corrupt-bad-protobuf")), 0))
                .isInstanceOf(SnapshotFormatException.class);
        assertThatThrownBy(() -> merger.merge(SnapshotSource.of("v99", TestSnapshots.vector("v99-incompatible")), 0))
                .isInstanceOf(SnapshotFormatException.class);
    }

    @Test
    void localValuesWithoutAHeaderAreReportedWithDbiAndKey() {
        try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
            var dbi = app.env().openDbi(txn, "data".getBytes(), null, false);
            dbi.put(txn, ByteBuffer.allocateDirect(3).put("bad".getBytes()).flip(), ByteBuffer.allocateDirect(2).put(new byte[] {1, 2}).flip());
            txn.commit();
        }
        assertThatThrownBy(() -> merge(Dbi.of("data", Kv.of("bad", "x", T))))
                .hasMessageContaining("data").hasMessageContaining("\"bad\"").hasMessageContaining("shorter than its header");
    }
}
