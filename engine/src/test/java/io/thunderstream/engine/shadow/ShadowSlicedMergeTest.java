package io.thunderstream.engine.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SnapshotSpool;
import io.thunderstream.engine.merge.SplitPoint;
import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.testing.PlainLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Txn;

/**
 * Shadow-mode merges that compare in a read transaction and write in slices of
 * {@code merge_lock_duration}, on real LMDB files.
 */
class ShadowSlicedMergeTest {

    private static final long T = 1_700_000_000_000_000_000L;
    private static final Map<String, DbiFlags[]> DBIS = Map.of(
            "domains", new DbiFlags[] {}, "records", new DbiFlags[] {DbiFlags.MDB_DUPSORT});
    /** Every look at the clock ends the slice: a commit every few entries. */
    private static final String TINY = "1ns";
    private static final int ENTRIES = 1200;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(T + 1_000_000);
    private final List<PlainLmdb> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(PlainLmdb::close);
    }

    private PlainLmdb lmdb(String name) {
        PlainLmdb app = PlainLmdb.open(dir.resolve(name), DBIS);
        open.add(app);
        return app;
    }

    private ShadowMode mode(PlainLmdb app, String lockDuration) {
        LmdbConfig config = ThunderstreamConfig.parse("""
                lmdbs:
                  main:
                    path: %s
                    dupsort_hack: true
                    merge_lock_duration: %s
                storage:
                  type: memory
                """.formatted(app.dir(), lockDuration), Map.of()).lmdbs().get("main");
        return new ShadowMode(LmdbEnvironment.wrap("main", app.env()), config, clock::get);
    }

    /** Local data found at startup (1 ns timestamps): {@code n} domains and a DUPSORT key with two values. */
    private static void fill(PlainLmdb app, int n) {
        for (int i = 0; i < n; i += 2) {
            app.put("domains", key(i), "old-" + i);
        }
        app.put("records", "k", "v1");
        app.put("records", "k", "v2");
    }

    private static String key(int i) {
        return String.format("key-%06d", i);
    }

    /** {@code n} domains with timestamp {@code ts}, and DUPSORT changes: v1 deleted, v3 added. */
    private static byte[] snapshot(int n, long ts, String value) {
        List<Kv> domains = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            domains.add(Kv.of(key(i), value + "-" + i, ts));
        }
        return TestSnapshots.gzip("main", "remote", new Dbi("domains", 0, "", domains), records(ts));
    }

    private static Dbi records(long ts) {
        return new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, DupsortHack.TRANSFORM, List.of(
                new Kv(encoded("k", "v1"), new byte[0], ts, 1),
                new Kv(encoded("k", "v3"), bytes("v3"), ts, 0)));
    }

    @Test
    void aSteadyStateMergeNeverTakesTheWriteLockAndLeavesTheTxnIdUnchanged() throws Exception {
        PlainLmdb app = lmdb("a");
        fill(app, ENTRIES);
        ShadowMode mode = mode(app, "50ms");
        mode.start();
        byte[] bytes = snapshot(ENTRIES, T, "remote");
        assertThat(mode.merge(SnapshotSource.of("first", bytes), 0).changedAnything()).isTrue();
        // A local change not copied to the shadows yet: the snapshot does not touch its key.
        app.put("domains", "local", "pending");
        long txn = app.lastTxnId();
        var contents = app.contents();

        // An application writer holds the write lock all along: a merge that wanted it would hang.
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            threads.submit(() -> {
                try (Txn<ByteBuffer> writeTxn = app.env().txnWrite()) {
                    locked.countDown();
                    release.await(30, TimeUnit.SECONDS);
                    writeTxn.abort();
                }
                return null;
            });
            assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
            Future<MergeResult> again = threads.submit(() -> mode.merge(SnapshotSource.of("again", bytes), 0));
            MergeResult result = again.get(20, TimeUnit.SECONDS);
            assertThat(result.committedTxnIds()).isEmpty();
            assertThat(result.entriesWritten()).isZero();
            assertThat(result.entriesRead()).isEqualTo(ENTRIES + 2);
        } finally {
            release.countDown();
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents()).isEqualTo(contents);
        // The pending change is still found and copied before the next snapshot.
        assertThat(mode.syncToShadow()).isEqualTo(txn + 1);
        assertThat(app.shadow("domains")).containsEntry("local", clock.get() + " 0 pending");
    }

    @Test
    void aMergeInSlicesEndsEqualToAMergeInOneTransaction() throws Exception {
        byte[] bytes = snapshot(ENTRIES, T, "remote");
        PlainLmdb sliced = lmdb("sliced");
        PlainLmdb whole = lmdb("whole");
        fill(sliced, ENTRIES);
        fill(whole, ENTRIES);
        ShadowMode slicedMode = mode(sliced, TINY);
        ShadowMode wholeMode = mode(whole, "0s");
        slicedMode.start();
        wholeMode.start();

        AtomicInteger opens = new AtomicInteger();
        MergeResult inSlices = slicedMode.merge(TestSnapshots.counting(bytes, opens), 0);
        MergeResult inOne = wholeMode.merge(SnapshotSource.of("s", bytes), 0);

        assertThat(inSlices.committedTxnIds()).hasSizeGreaterThan(10).isSorted().doesNotHaveDuplicates();
        assertThat(inSlices.committedTxnId()).isEqualTo(sliced.lastTxnId());
        // Unchecked: the first slice was rolled back, the snapshot checked whole, the merge redone
        // from the check's decompressed copy.
        assertThat(opens.get()).isEqualTo(2);
        assertThat(inOne.committedTxnIds()).hasSize(1);
        assertThat(inSlices.entriesWritten()).isEqualTo(inOne.entriesWritten()).isEqualTo(ENTRIES + 2);
        assertThat(sliced.contents()).isEqualTo(whole.contents());
        assertThat(sliced.contents().get("records")).containsExactly("k=v2", "k=v3");
        assertThat(sliced.contents().get("domains")).hasSize(ENTRIES).contains("key-000001=remote-1");
        for (String dbi : List.of("domains", "records")) {
            assertThat(sliced.shadow(dbi)).isEqualTo(whole.shadow(dbi));
        }
        // Merges alone: no local change to copy afterwards.
        assertThat(slicedMode.syncToShadow()).isEqualTo(sliced.lastTxnId());
        assertThat(inSlices.follows(inSlices.committedTxnIds().get(0) - 1)).isTrue();
    }

    /**
     * Local and remote keys interleaved, each side winning some: the merge walks the shadow beside
     * the snapshot, stepping over local keys the snapshot lacks, inserting keys the shadow lacks,
     * past the shadow's last key too, and ends as last writer wins says.
     */
    @ParameterizedTest(name = "merge_lock_duration {0}, upper half searched beside from {1}")
    @CsvSource({"0s, none", TINY + ", none", "0s, middle", TINY + ", middle", "0s, first", TINY + ", first"})
    void interleavedLocalAndRemoteKeysEndAsLastWriterWinsSays(String lockDuration, String split) throws Exception {
        int n = 600;
        PlainLmdb app = lmdb("a");
        for (int i = 0; i < n; i++) {
            if (i % 3 != 0) {
                app.put("domains", key(i), "old-" + i);
            }
        }
        ShadowMode mode = mode(app, lockDuration);
        mode.start(); // found at startup: 1 ns
        long copied = clock.get(); // local changes made now are copied with this time
        for (int i = 0; i < n; i += 5) {
            if (i % 3 != 0) {
                app.put("domains", key(i), "local-" + i);
            }
        }
        // Every even key, some newer and some older than the local changes; ten past the last local key.
        List<Kv> remote = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n + 20; i++) {
            boolean isLocal = i < n && i % 3 != 0;
            long localTs = i % 5 == 0 ? copied : 1;
            long remoteTs = i % 4 == 0 ? copied + 1 : copied - 1;
            if (i % 2 == 0) {
                remote.add(Kv.of(key(i), "remote-" + i, remoteTs));
            }
            if (i % 2 == 0 && (!isLocal || remoteTs > localTs)) {
                expected.add(key(i) + "=remote-" + i);
            } else if (isLocal) {
                expected.add(key(i) + "=" + (i % 5 == 0 ? "local-" : "old-") + i);
            }
        }
        byte[] bytes = TestSnapshots.gzip("main", "remote", new Dbi("domains", 0, "", remote));

        MergeResult result;
        MergeResult again;
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource source = SnapshotSource.of("s", bytes);
            if (!split.equals("none")) { // the whole DBI is the upper half when it holds less than half of all entries
                source = splitAt(mode.check(source, spool), "domains", split.equals("first") ? 0 : remote.size() / 2,
                        new AtomicInteger());
            }
            result = mode.merge(source, 0);
            again = mode.merge(source, 0);
        }

        assertThat(app.contents().get("domains")).containsExactlyElementsOf(expected);
        assertThat(result.entriesRead()).isEqualTo(remote.size());
        // Merging it again changes nothing.
        assertThat(again.entriesWritten()).isZero();
        assertThat(app.contents().get("domains")).containsExactlyElementsOf(expected);
    }

    /**
     * The upper half of the split DBI is compared on a second thread, and the merge goes on from
     * the first entry there that wins: wherever the newer entries lie (nowhere, in the lower half,
     * at the upper half's first or second entry, its last, all of it), the merge ends as last
     * writer wins says and counts every entry read.
     */
    @ParameterizedTest(name = "newer: {0}, merge_lock_duration {1}")
    @CsvSource({"none, 1ns", "none, 0s", "lower, 1ns", "first, 1ns", "second, 0s", "last, 1ns", "last, 0s",
        "lower second, 1ns", "upper, 1ns", "upper, 0s"})
    void theUpperHalfIsComparedBesideTheRestAndTheMergeGoesOnFromItsFirstWinner(String newer, String lockDuration)
            throws Exception {
        int n = 400;
        int split = 200;
        PlainLmdb app = lmdb("a");
        fill(app, n);
        ShadowMode mode = mode(app, lockDuration);
        mode.start();
        mode.merge(SnapshotSource.of("first", snapshot(n, T, "remote")), 0);
        Set<Integer> newerKeys = new TreeSet<>();
        for (String where : newer.split(" ")) {
            switch (where) {
                case "none" -> { }
                case "lower" -> newerKeys.add(50);
                case "first" -> newerKeys.add(split);
                case "second" -> newerKeys.add(split + 1);
                case "last" -> newerKeys.add(n - 1);
                case "upper" -> IntStream.range(split, n).forEach(newerKeys::add);
                default -> throw new IllegalArgumentException(where);
            }
        }
        byte[] bytes = withNewer(n, newerKeys);

        AtomicInteger opens = new AtomicInteger();
        MergeResult result;
        MergeResult again;
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource cut = splitAt(mode.check(SnapshotSource.of("s", bytes), spool), "domains", split, opens);
            result = mode.merge(cut, 0);
            again = mode.merge(cut, 0);
        }

        assertThat(opens.get()).isEqualTo(4); // each merge read the snapshot, and its upper half beside
        assertThat(app.contents().get("domains")).containsExactlyElementsOf(IntStream.range(0, n)
                .mapToObj(i -> key(i) + "=" + (newerKeys.contains(i) ? "newer-" : "remote-") + i).toList());
        assertThat(result.entriesWritten()).isEqualTo(newerKeys.size());
        assertThat(result.entriesRead()).isEqualTo(again.entriesRead()).isEqualTo(n + 2);
        assertThat(again.entriesWritten()).isZero();
    }

    /** The check cuts a large snapshot as in native mode, and the shadow merge searches the upper half beside. */
    @Test
    void aLargeCheckedSnapshotHasItsUpperHalfSearchedBeside() throws Exception {
        int n = 101_000; // above SplitPoint.MIN_ENTRIES
        PlainLmdb app = lmdb("a");
        ShadowMode mode = mode(app, "50ms");
        mode.start();
        mode.merge(SnapshotSource.of("first", snapshot(n, T, "remote")), 0);
        byte[] bytes = withNewer(n, Set.of(1000, 90_000));

        AtomicInteger opens = new AtomicInteger();
        MergeResult result;
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource checked = mode.check(SnapshotSource.of("s", bytes), spool);
            assertThat(checked.splitPoint()).hasValueSatisfying(split -> assertThat(split.dbiName()).isEqualTo("domains"));
            result = mode.merge(TestSnapshots.counting(checked, opens), 0);
        }

        assertThat(opens.get()).isEqualTo(2);
        assertThat(result.entriesWritten()).isEqualTo(2);
        assertThat(result.entriesRead()).isEqualTo(n + 2);
        Map<String, String> shadow = app.shadow("domains");
        assertThat(shadow.get(key(1000))).endsWith(" newer-1000");
        assertThat(shadow.get(key(90_000))).endsWith(" newer-90000");
        assertThat(shadow.get(key(89_999))).endsWith(" remote-89999");
        assertThat(app.contents().get("domains")).contains(key(90_000) + "=newer-90000").hasSize(n);
    }

    /**
     * {@code n} domains as a merge of {@code snapshot(n, T, "remote")} left them, those in
     * {@code newer} changed since ("newer-" values at T + 1), and the records.
     */
    private static byte[] withNewer(int n, Set<Integer> newer) {
        List<Kv> domains = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean changed = newer.contains(i);
            domains.add(Kv.of(key(i), (changed ? "newer-" : "remote-") + i, changed ? T + 1 : T));
        }
        return TestSnapshots.gzip("main", "remote", new Dbi("domains", 0, "", domains), records(T));
    }

    /** PowerDNS 4.7's largest DBI is DUPSORT: its upper half is searched by the dupsort_hack keys. */
    @ParameterizedTest(name = "merge_lock_duration {0}")
    @ValueSource(strings = {"0s", TINY})
    void aDupsortHackDbiHasItsUpperHalfSearchedLikeAnyOther(String lockDuration) throws Exception {
        int n = 400; // two values for each of 200 keys
        PlainLmdb app = lmdb("a");
        for (int i = 0; i < n; i++) {
            app.put("records", key(i / 2), "v" + i % 2);
        }
        ShadowMode mode = mode(app, lockDuration);
        mode.start();
        mode.merge(SnapshotSource.of("first", recordsSnapshot(n, -1)), 0);
        byte[] bytes = recordsSnapshot(n, 300); // the value of entry 300 deleted since

        AtomicInteger opens = new AtomicInteger();
        MergeResult result;
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            result = mode.merge(splitAt(mode.check(SnapshotSource.of("s", bytes), spool), "records", 200, opens), 0);
        }

        assertThat(opens.get()).isEqualTo(2);
        assertThat(result.entriesWritten()).isEqualTo(1);
        assertThat(result.entriesRead()).isEqualTo(n);
        assertThat(app.contents().get("records")).hasSize(n - 1)
                .contains(key(150) + "=v1").doesNotContain(key(150) + "=v0");
    }

    /** The records of {@link #aDupsortHackDbiHasItsUpperHalfSearchedLikeAnyOther} at {@code T}, entry {@code deleted} a newer tombstone. */
    private static byte[] recordsSnapshot(int n, int deleted) {
        List<Kv> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = "v" + i % 2;
            records.add(i == deleted ? new Kv(encoded(key(i / 2), value), new byte[0], T + 1, 1)
                    : new Kv(encoded(key(i / 2), value), bytes(value), T, 0));
        }
        return TestSnapshots.gzip("main", "remote",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, DupsortHack.TRANSFORM, records));
    }

    /**
     * A merge writing in slices that reaches the upper half before its scan is done commits its
     * slice before it waits: an application writer gets the lock meanwhile.
     */
    @Test
    void theMergeDoesNotHoldTheWriteLockWhileItWaitsForTheUpperHalf() throws Exception {
        int n = 400;
        PlainLmdb app = lmdb("a");
        fill(app, n);
        ShadowMode mode = mode(app, "1h"); // no slice ends on time
        mode.start();
        mode.merge(SnapshotSource.of("first", snapshot(n, T, "remote")), 0);
        byte[] bytes = withNewer(n, Set.of(50));
        long before = app.lastTxnId();

        CountDownLatch scanMayRead = new CountDownLatch(1);
        AtomicInteger opens = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource checked = mode.check(SnapshotSource.of("s", bytes), spool);
            // The second stream opened is the upper half's: it reads nothing until let.
            SnapshotSource held = TestSnapshots.wrappingStreams(checked, in -> opens.incrementAndGet() == 1 ? in
                    : new FilterInputStream(in) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            try {
                                scanMayRead.await();
                            } catch (InterruptedException e) {
                                throw new InterruptedIOException();
                            }
                            return super.read(b, off, len);
                        }
                    });
            SnapshotSource cut = SnapshotSource.checked(held, null, checked.checkedDbiFlags().orElseThrow(),
                    new SplitPoint(TestSnapshots.entryPosition(checked, "domains", 200)));
            Future<MergeResult> merge = threads.submit(() -> mode.merge(cut, 0));
            // The merge wrote key 50, reached the upper half and committed (a condition, spun on).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (app.lastTxnId() == before) {
                assertThat(System.nanoTime()).as("the merge committed nothing in 30 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
            threads.submit(() -> app.put("domains", "application", "x")).get(10, TimeUnit.SECONDS);
            assertThat(merge).isNotDone();
            scanMayRead.countDown();
            assertThat(merge.get(30, TimeUnit.SECONDS).entriesWritten()).isEqualTo(1);
        } finally {
            scanMayRead.countDown();
            threads.shutdown();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(opens.get()).isEqualTo(2);
        assertThat(app.contents().get("domains")).contains(key(50) + "=newer-50", "application=x").hasSize(n + 1);
    }

    @Test
    void whatTheUpperHalfFailsWithIsTheMergesErrorAndNothingIsWritten() throws Exception {
        int n = 400;
        PlainLmdb app = lmdb("a");
        fill(app, n);
        ShadowMode mode = mode(app, TINY);
        mode.start();
        byte[] bytes = snapshot(n, T, "remote");
        mode.merge(SnapshotSource.of("first", bytes), 0);
        // A shadow value without a whole header, in the upper half.
        try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
            app.env().openDbi(txn, ShadowMode.shadowName("domains").getBytes(StandardCharsets.UTF_8), null, false)
                    .put(txn, direct(key(300)), direct("xy"));
            txn.commit();
        }
        var contents = app.contents();
        long txn = app.lastTxnId();

        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource cut = splitAt(mode.check(SnapshotSource.of("s", bytes), spool), "domains", 200, new AtomicInteger());
            assertThatThrownBy(() -> mode.merge(cut, 0))
                    .hasMessageContaining(ShadowMode.shadowName("domains"))
                    .hasMessageContaining(key(300));
        }
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents()).isEqualTo(contents);
    }

    /** {@code checked}, cut at entry {@code at} of {@code dbi}, counting the streams its readers open. */
    private static SnapshotSource splitAt(SnapshotSource checked, String dbi, int at, AtomicInteger opens)
            throws Exception {
        return SnapshotSource.checked(TestSnapshots.counting(checked, opens), null, checked.checkedDbiFlags().orElseThrow(),
                new SplitPoint(TestSnapshots.entryPosition(checked, dbi, at)));
    }


    @Test
    void aCheckedSnapshotIsMergedInSlicesInOnePass() throws Exception {
        PlainLmdb app = lmdb("a");
        fill(app, 10);
        ShadowMode mode = mode(app, TINY);
        mode.start();
        AtomicInteger opens = new AtomicInteger();
        MergeResult result;
        try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-test-")) {
            SnapshotSource checked = mode.check(TestSnapshots.counting(snapshot(ENTRIES, T, "remote"), opens), spool);
            assertThat(opens.get()).isEqualTo(1);
            result = mode.merge(checked, 0);
        }
        // The merge read the check's decompressed copy, not the compressed source again.
        assertThat(opens.get()).isEqualTo(1);
        assertThat(result.committedTxnIds()).hasSizeGreaterThan(10);
        assertThat(app.contents().get("domains")).hasSize(ENTRIES);
    }

    @Test
    void anApplicationWriteBetweenSlicesIsNeitherLostNorOverwrittenAndIsALocalChange() throws Exception {
        int entries = 5_000;
        String last = key(entries - 1);
        PlainLmdb app = lmdb("a");
        fill(app, entries);
        app.put("domains", last, "old");
        ShadowMode mode = mode(app, TINY);
        long lastStored = mode.start();
        // Remote entries are newer than the data found at startup (1 ns), older than local changes now.
        SnapshotSource source = mode.check(SnapshotSource.of("s", snapshot(entries, T, "remote")), null);
        long before = app.lastTxnId();

        ExecutorService writer = Executors.newSingleThreadExecutor();
        MergeResult result;
        try {
            Future<?> written = writer.submit(() -> {
                // As soon as the merge committed its first slice (a condition, spun on: slices are short).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (app.lastTxnId() == before) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the merge committed nothing in 30 s");
                    }
                    Thread.onSpinWait();
                }
                app.put("domains", last, "application");
                app.put("domains", "zzz-application-only", "x");
                return null;
            });
            result = mode.merge(source, 0);
            written.get(30, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
        }
        // The two application transactions lie between the merge's first and last slices; the
        // last snapshot entry, the same key, was compared after them.
        List<Long> ids = result.committedTxnIds();
        assertThat(ids.get(ids.size() - 1) - ids.get(0) + 1 - ids.size()).as("application transactions between slices")
                .isEqualTo(2);

        // Not lost, and not overwritten by the older remote entry of the same key.
        Map<String, String> domains = new LinkedHashMap<>();
        for (String kv : app.contents().get("domains")) {
            domains.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        assertThat(domains).containsEntry(last, "application").containsEntry("zzz-application-only", "x")
                .containsEntry(key(0), "remote-0").hasSize(entries + 1);
        // The next slice copied it into the shadow with the time of the copy, newer than the remote entry.
        assertThat(app.shadow("domains")).containsEntry(last, clock.get() + " 0 application");

        // The sync loop's rule: the merge does not directly follow the last snapshot, so the
        // application's write is a local change to store.
        if (result.follows(lastStored)) {
            lastStored = result.committedTxnId();
        }
        assertThat(app.lastTxnId()).isGreaterThan(lastStored);
        assertThat(mode.syncToShadow()).isEqualTo(app.lastTxnId());
        assertThat(app.shadow("domains")).containsEntry("zzz-application-only", clock.get() + " 0 x");
    }

    /**
     * Unchecked, in slices: the first slice is rolled back and the check refuses it. In one
     * transaction: the merge refuses it as it meets each entry, and rolls back.
     */
    @ParameterizedTest(name = "merge_lock_duration {0}")
    @ValueSource(strings = {TINY, "0s"})
    void aRefusedSnapshotAppliesNothing(String lockDuration) throws Exception {
        PlainLmdb app = lmdb("a");
        fill(app, 10);
        ShadowMode mode = mode(app, lockDuration);
        mode.start();
        long txn = app.lastTxnId();
        var contents = app.contents();
        var shadows = List.of(app.shadow("domains"), app.shadow("records"));

        List<Kv> many = remoteDomains();
        Dbi domains = new Dbi("domains", 0, "", many);
        byte[] good = TestSnapshots.gzip("main", "remote", domains, records(T));
        Map<String, byte[]> refused = new LinkedHashMap<>();
        refused.put("truncated", Arrays.copyOf(good, good.length - 50));
        refused.put("unknown transform", TestSnapshots.gzip("main", "remote", domains,
                new Dbi("zzz", 0, "zstd_v9", List.of(Kv.of("a", "b", T)))));
        refused.put("DUPSORT without the transform", TestSnapshots.gzip("main", "remote", domains,
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "", List.of(Kv.of("k", "v", T)))));
        refused.put("bad dupsort_hack key", TestSnapshots.gzip("main", "remote", domains,
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, DupsortHack.TRANSFORM,
                        List.of(new Kv(encoded("k", "v9"), bytes("v9"), T, 0), Kv.of("kz", "v", T)))));
        refused.put("key too long", TestSnapshots.gzip("main", "remote", new Dbi("domains", 0, "",
                concat(many, new Kv(new byte[600], bytes("x"), T, 0)))));
        refused.put("keys out of order", TestSnapshots.gzip("main", "remote", new Dbi("domains", 0, "",
                concat(many, Kv.of(key(0), "again", T + 1)))));
        refused.put("another database", TestSnapshots.gzip("shard", "remote", domains));

        for (var bad : refused.entrySet()) {
            SnapshotSource source = SnapshotSource.of(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> mode.merge(source, 0)).as(bad.getKey())
                    .isInstanceOfAny(MergeException.class, SnapshotFormatException.class);
            // The receiver's check after the download refuses it too.
            assertThatThrownBy(() -> mode.check(source, null)).as(bad.getKey())
                    .isInstanceOfAny(MergeException.class, SnapshotFormatException.class);
            assertThat(app.lastTxnId()).as(bad.getKey()).isEqualTo(txn);
            assertThat(app.contents()).as(bad.getKey()).isEqualTo(contents);
            assertThat(List.of(app.shadow("domains"), app.shadow("records"))).as(bad.getKey()).isEqualTo(shadows);
        }
        assertThat(mode.merge(SnapshotSource.of("good", good), 0).committedTxnIds()).hasSizeGreaterThan(lockDuration.equals(TINY) ? 10 : 0);
    }

    @Test
    void aSnapshotThatPassedTheCheckButDisagreesWithALocalDbiAppliesNothing() throws Exception {
        // The check knows the snapshot only; that "records" is DUPSORT here is the merge's to find,
        // before its first slice is committed.
        PlainLmdb app = lmdb("a");
        fill(app, 10);
        ShadowMode mode = mode(app, TINY);
        mode.start();
        long txn = app.lastTxnId();
        var contents = app.contents();
        List<Kv> many = remoteDomains();
        SnapshotSource checked = mode.check(SnapshotSource.of("plain-records", TestSnapshots.gzip("main", "remote",
                new Dbi("domains", 0, "", many), new Dbi("records", 0, "", List.of(Kv.of("k", "v", T))))), null);
        assertThatThrownBy(() -> mode.merge(checked, 0)).isInstanceOf(MergeException.class)
                .hasMessageContaining("DBI records is DUPSORT here and not in the snapshot");
        assertThat(app.lastTxnId()).isEqualTo(txn);
        assertThat(app.contents()).isEqualTo(contents);
    }

    @Test
    void theShadowCheckTakesWhatShadowModeMergesAndNativeModeRefuses() throws Exception {
        PlainLmdb app = lmdb("a");
        ShadowMode mode = mode(app, TINY);
        SnapshotSource hack = SnapshotSource.of("hack", TestSnapshots.gzip("main", "remote", records(T)));
        assertThat(mode.check(hack, null).checkedDbiFlags()).hasValue(Map.of("records", (long) io.thunderstream.engine.lmdb.DbiFlags.DUPSORT));
        assertThatThrownBy(() -> SnapshotCheck.check(hack, "main", 511)).isInstanceOf(MergeException.class)
                .hasMessageContaining("transform");
    }

    /** ENTRIES domains, each with a value from the remote side. */
    private static List<Kv> remoteDomains() {
        List<Kv> many = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            many.add(Kv.of(key(i), "remote-" + i, T));
        }
        return many;
    }

    private static List<Kv> concat(List<Kv> kvs, Kv more) {
        List<Kv> out = new ArrayList<>(kvs);
        out.add(more);
        return out;
    }

    private static byte[] encoded(String key, String value) {
        ByteBuffer out = DupsortHack.encode(ByteBuffer.wrap(bytes(key)), ByteBuffer.wrap(bytes(value)),
                ByteBuffer.allocate(511), "test");
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer direct(String s) {
        byte[] b = bytes(s);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }
}
