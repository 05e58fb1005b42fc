package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merges in several write transactions ({@code merge_lock_duration}). */
class SlicedMergeTest {

    private static final long T = 1_700_000_000_000_000_000L;
    private static final int ENTRIES = 800;
    /** Every look at the clock ends the slice: a commit every few entries. */
    private static final Duration TINY = Duration.ofNanos(1);

    @TempDir
    Path dir;

    private NativeLmdb app;

    @BeforeEach
    void open() {
        app = NativeLmdb.open(dir, "data");
    }

    @AfterEach
    void close() {
        app.close();
    }

    private static Dbi data(int entries, long ts) {
        return Dbi.numbered("data", entries, ts);
    }

    private static byte[] snapshot(Dbi... dbis) {
        return TestSnapshots.gzip("main", "remote", dbis);
    }

    @Test
    void aSlicedMergeEndsWithTheSameDataAsOneTransaction() throws IOException {
        byte[] bytes = snapshot(data(ENTRIES, T));
        AtomicInteger opens = new AtomicInteger();
        MergeResult sliced = new SnapshotMerger(app.lmdb(), false, Map.of(), TINY).merge(TestSnapshots.counting(bytes, opens), 0);

        assertThat(sliced.committedTxnIds()).hasSizeGreaterThan(10);
        assertThat(sliced.committedTxnIds()).isSorted().doesNotHaveDuplicates();
        assertThat(sliced.entriesWritten()).isEqualTo(ENTRIES);
        assertThat(sliced.committedTxnId()).isEqualTo(app.lastTxnId());
        // Unchecked: the first slice was rolled back, the snapshot checked whole, the merge redone
        // from the check's decompressed copy, not from the compressed source.
        assertThat(opens.get()).isEqualTo(2);

        try (NativeLmdb other = NativeLmdb.open(dir.resolve("one"), "data")) {
            new SnapshotMerger(other.lmdb(), false).merge(SnapshotSource.of("s", bytes), 0);
            assertThat(app.contents()).isEqualTo(other.contents());
        }
    }

    @Test
    void aCheckedSnapshotIsMergedInOnePass() throws IOException {
        byte[] bytes = snapshot(data(ENTRIES, T));
        AtomicInteger opens = new AtomicInteger();
        SnapshotSource checked = SnapshotCheck.check(TestSnapshots.counting(bytes, opens), "main", app.env().getMaxKeySize());
        assertThat(opens.get()).isEqualTo(1);
        MergeResult result = new SnapshotMerger(app.lmdb(), false, Map.of(), TINY).merge(checked, 0);
        assertThat(opens.get()).isEqualTo(2);
        assertThat(result.committedTxnIds()).hasSizeGreaterThan(10);
        assertThat(app.contents().get("data")).hasSize(ENTRIES);
    }

    @Test
    void aSlicedMergeOfUnchangedDataWritesNothing() throws IOException {
        byte[] bytes = snapshot(data(ENTRIES, T));
        SnapshotMerger merger = new SnapshotMerger(app.lmdb(), false, Map.of(), TINY);
        merger.merge(SnapshotSource.of("s", bytes), 0);
        long txn = app.lastTxnId();
        MergeResult again = merger.merge(SnapshotSource.of("s", bytes), 0);
        assertThat(again.committedTxnIds()).isEmpty();
        assertThat(again.entriesWritten()).isZero();
        assertThat(app.lastTxnId()).isEqualTo(txn);
    }

    @Test
    void aTruncatedSnapshotAppliesNothingEvenInSlices() {
        byte[] whole = snapshot(data(ENTRIES, T));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 100);
        long txn = app.lastTxnId();
        assertThatThrownBy(() -> new SnapshotMerger(app.lmdb(), false, Map.of(), TINY).merge(SnapshotSource.of("cut", truncated), 0))
                .isInstanceOf(SnapshotFormatException.class);
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void aRefusalAtTheEndAppliesNothingEvenInSlices() {
        List<Kv> kvs = new ArrayList<>(data(ENTRIES, T).entries());
        kvs.add(new Kv(new byte[600], new byte[] {1}, T, 0)); // longer than LMDB's 511-byte keys, sorted last
        byte[] bytes = snapshot(new Dbi("data", 0, "", kvs));
        long txn = app.lastTxnId();
        assertThatThrownBy(() -> new SnapshotMerger(app.lmdb(), false, Map.of(), TINY).merge(SnapshotSource.of("long-key", bytes), 0))
                .isInstanceOf(MergeException.class).hasMessageContaining("key of 600 bytes");
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void keysOutOfOrderAtTheEndApplyNothingEvenInSlices() {
        List<Kv> kvs = new ArrayList<>(data(ENTRIES, T).entries());
        kvs.add(Kv.of("key-000000", "again", T + 1)); // the first key again, last
        byte[] bytes = snapshot(new Dbi("data", 0, "", kvs));
        long txn = app.lastTxnId();
        assertThatThrownBy(() -> new SnapshotMerger(app.lmdb(), false, Map.of(), TINY).merge(SnapshotSource.of("disorder", bytes), 0))
                .isInstanceOf(MergeException.class).hasMessageContaining("entry #" + ENTRIES).hasMessageContaining("key order");
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents().get("data")).isEmpty();
    }

    @Test
    void theCheckTakesTheKeyOrderOfFlagsThatComeAfterTheEntries() throws IOException {
        // v3-basic was encoded in field-number order: "records" has INTEGERKEY after its entries.
        SnapshotSource checked = SnapshotCheck.check(SnapshotSource.of("v3-basic", TestSnapshots.vector("v3-basic")),
                "main", 511);
        assertThat(checked.checkedDbiFlags()).hasValueSatisfying(flags -> assertThat(flags).containsKey("records"));
    }

    @Test
    void theCheckRefusesWhatTheMergeRefuses() {
        byte[] dupsort = snapshot(new Dbi("dups", 0x04, "", List.of(Kv.of("a", "b", T))));
        assertThatThrownBy(() -> SnapshotCheck.check(SnapshotSource.of("dups", dupsort), "main", 511))
                .isInstanceOf(MergeException.class).hasMessageContaining("DBI dups is DUPSORT");
        byte[] shard = TestSnapshots.gzip("shard", "remote", data(3, T));
        assertThatThrownBy(() -> SnapshotCheck.check(SnapshotSource.of("shard", shard), "main", 511))
                .isInstanceOf(MergeException.class).hasMessageContaining("database \"shard\"");
    }

    @Test
    void applicationWritesBetweenSlicesAreLocalChanges() throws Exception {
        SnapshotMerger merger = new SnapshotMerger(app.lmdb(), false, Map.of(), TINY);
        var mergeStarted = new java.util.concurrent.CountDownLatch(1);
        SnapshotSource inner = SnapshotCheck.check(SnapshotSource.of("s", snapshot(data(ENTRIES, T))), "main",
                app.env().getMaxKeySize());
        SnapshotSource source = TestSnapshots.wrappingStreams(inner, in -> {
            mergeStarted.countDown();
            return in;
        });
        long lastStored = app.lastTxnId();
        // An application writer whose transactions land between the merge's slices.
        int appWrites = 20;
        Thread writer = new Thread(() -> {
            try {
                mergeStarted.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < appWrites; i++) {
                app.put("data", "app-" + i, "x", T + 1);
            }
        });
        writer.start();
        MergeResult result = merger.merge(source, 0);
        writer.join();
        // The sync loop's rule: only a merge whose transactions directly follow the last
        // snapshot leaves no local change behind.
        if (result.follows(lastStored)) {
            lastStored = result.committedTxnId();
        }
        assertThat(app.lastTxnId()).isGreaterThan(lastStored);
        assertThat(app.contents().get("data")).hasSize(ENTRIES + appWrites);
    }

    @Test
    void followsNeedsEveryTransactionWithoutAGap() {
        var meta = io.thunderstream.engine.snapshot.SnapshotMeta.EMPTY;
        assertThat(new MergeResult(meta, 1, 1, List.of(5L, 6L, 7L)).follows(4)).isTrue();
        assertThat(new MergeResult(meta, 1, 1, List.of(5L, 7L)).follows(4)).isFalse();
        assertThat(new MergeResult(meta, 1, 1, List.of(6L)).follows(4)).isFalse();
        assertThat(new MergeResult(meta, 1, 0, List.of()).follows(4)).isFalse();
        assertThat(new MergeResult(meta, 1, 1, 5L).follows(4)).isTrue();
    }
}
