package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmdbjava.Txn;

/** The merge's writer thread: it writes what the merge's read transaction found newer, and only that. */
class MergeWriterTest {

    private static final long T = 1_700_000_000_000_000_000L;

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

    private static byte[] snapshot(List<Kv> entries) {
        return TestSnapshots.gzip("main", "remote", new Dbi("data", 0, "", entries));
    }

    private SnapshotSource checked(String name, List<Kv> entries) throws IOException {
        return SnapshotCheck.check(SnapshotSource.of(name, snapshot(entries)), "main", app.env().getMaxKeySize());
    }

    private SnapshotSource checked(int entries, long ts) throws IOException {
        return SnapshotCheck.check(SnapshotSource.of("s-" + ts, TestSnapshots.gzip("main", "remote", data(entries, ts))),
                "main", app.env().getMaxKeySize());
    }

    /** {@code source}, counting {@code readToTheEnd} down once the merge read its last byte. */
    private static SnapshotSource signallingTheEnd(SnapshotSource source, CountDownLatch readToTheEnd) {
        return signallingTheEnd(source, readToTheEnd, new CountDownLatch(0));
    }

    /** The same, its stream then waiting for {@code release} before it ends. */
    private static SnapshotSource signallingTheEnd(SnapshotSource source, CountDownLatch readToTheEnd, CountDownLatch release) {
        return TestSnapshots.wrappingStreams(source, in -> new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    readToTheEnd.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }
                return n;
            }
        });
    }

    @ParameterizedTest(name = "merge_lock_duration {0} ms")
    @ValueSource(ints = {0, 50})
    void anApplicationWriteBetweenTheComparisonAndTheWriteIsKept(int lockMillis) throws Exception {
        int entries = 2000;
        new SnapshotMerger(app.lmdb(), false).merge(checked(entries, T), 0);
        SnapshotMerger merger = new SnapshotMerger(app.lmdb(), false, Map.of(), Duration.ofMillis(lockMillis));
        CountDownLatch readToTheEnd = new CountDownLatch(1);
        SnapshotSource newer = signallingTheEnd(checked(entries, T + 10), readToTheEnd);

        CompletableFuture<MergeResult> merge;
        // The application holds the write lock with a newer value of two keys, which the merge's
        // read transaction cannot see yet: it finds the snapshot's values newer there too.
        try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
            var dbi = app.lmdb().dbi(txn, "data");
            for (String key : List.of("key-000005", "key-001500")) {
                ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 3);
                ValueHeader.write(value, T + 20, txn.getId(), 0);
                value.put("app".getBytes(StandardCharsets.UTF_8)).flip();
                ByteBuffer k = ByteBuffer.allocateDirect(key.length()).put(key.getBytes(StandardCharsets.UTF_8)).flip();
                dbi.put(txn, k, value);
            }
            merge = CompletableFuture.supplyAsync(() -> {
                try {
                    return merger.merge(newer, 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(readToTheEnd.await(30, TimeUnit.SECONDS)).as("the merge compared the whole snapshot").isTrue();
            app.lmdb().commit(txn);
        }
        MergeResult result = merge.get(30, TimeUnit.SECONDS);

        assertThat(app.get("data", "key-000005")).isEqualTo("app");
        assertThat(app.get("data", "key-001500")).isEqualTo("app");
        assertThat(app.get("data", "key-000006")).isEqualTo("value-6-" + (T + 10));
        assertThat(result.entriesWritten()).isEqualTo(entries - 2);
    }

    @Test
    void aSlicedMergeCommitsAndLeavesTheLockToTheApplicationWhileItHasNothingToWrite() throws Exception {
        // The first 3000 keys change (several chunks handed over), the 30,000 after them do not.
        int entries = 33_000;
        List<Kv> older = new ArrayList<>(data(entries, T).entries());
        new SnapshotMerger(app.lmdb(), false).merge(checked("old", older), 0);
        List<Kv> newer = new ArrayList<>(older);
        for (int i = 0; i < 3000; i++) {
            newer.set(i, Kv.of(String.format("key-%06d", i), "newer-" + i, T + 1));
        }
        long before = app.lastTxnId();
        CountDownLatch compared = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (SnapshotSpool spool = SnapshotSpool.tempFile("merge-writer-test-")) {
            SnapshotSource source = signallingTheEnd(SnapshotCheck.check(SnapshotSource.of("newer", snapshot(newer)), "main",
                    app.env().getMaxKeySize(), SnapshotCheck.NATIVE_RULES, spool), compared, release);
            // A lock duration far longer than the test: only having nothing to write ends the slice.
            SnapshotMerger merger = new SnapshotMerger(app.lmdb(), false, Map.of(), Duration.ofHours(1));
            CompletableFuture<MergeResult> merge = CompletableFuture.supplyAsync(() -> {
                try {
                    return merger.merge(source, 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(compared.await(30, TimeUnit.SECONDS)).isTrue();
            // The merge waits at the snapshot's end: what it handed over is committed, the lock free.
            Await.until("the merge's first commit", Duration.ofSeconds(30), () -> app.lastTxnId() > before);
            app.put("data", "app-key", "app", T + 5);
            release.countDown();
            MergeResult result = merge.get(30, TimeUnit.SECONDS);
            assertThat(result.entriesWritten()).isEqualTo(3000);
            assertThat(result.committedTxnIds().get(0)).isEqualTo(before + 1);
        }
        assertThat(app.get("data", "key-002999")).isEqualTo("newer-2999");
        assertThat(app.get("data", "app-key")).isEqualTo("app");
    }

    @Test
    void aSlicedMergeLetsLmdbReuseThePagesItFreed() throws IOException {
        int entries = 40_000;
        SnapshotMerger merger = new SnapshotMerger(app.lmdb(), false, Map.of(), Duration.ofMillis(1));
        merger.merge(checked(entries, T), 0);
        long pagesBefore = app.env().info().lastPageNumber;
        for (int round = 1; round <= 3; round++) {
            MergeResult result = merger.merge(checked(entries, T + round), 0);
            assertThat(result.entriesWritten()).isEqualTo(entries);
            assertThat(result.committedTxnIds()).hasSizeGreaterThan(1);
        }
        // Every leaf page was copied three times; a read transaction held through the merge would
        // keep the old copies in use and the file would about double.
        assertThat(app.env().info().lastPageNumber).as("last page used, %d before the merges", pagesBefore)
                .isLessThan(pagesBefore * 3 / 2);
    }
}
