package io.thunderstream.bench.suite;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.bench.CodecData;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.backend.s3.S3ProxyServer;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.merge.SnapshotMerger;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SnapshotSpool;
import io.thunderstream.engine.shadow.ShadowMode;
import io.thunderstream.engine.sync.Syncer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

/**
 * Thunderstream's benchmark suite (issue 9): seven cases, issue 3's codec speed as case 8 and shadow mode's steady state as
 * case 9, on generated PowerDNS-like data, each
 * run several times, medians reported, with the C LMDB tools, gzip and pigz measured as
 * baselines in the same run. Prints a markdown table. Not a test: nothing here fails on speed.
 *
 * <pre>
 * bench/run-suite.sh [--scale 1.0] [--runs 3] [--cases 1,2,3,4,5,6,7,8,9] [--work DIR] [--out FILE]
 * </pre>
 */
public final class Suite {

    private static final String DB = "main";
    private static final int PAGE_SIZE = 4096;

    private final double scale;
    private final int runs;
    private final List<Integer> cases;
    private final Path work;
    /** No --work given: the data is removed at the end (a given work dir keeps it for the next run). */
    private final boolean temporaryWork;
    private final Path launcher;
    private final Path out;
    private final int records;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Suite(Map<String, String> args) throws IOException {
        scale = Double.parseDouble(args.getOrDefault("scale", "1.0"));
        runs = Integer.parseInt(args.getOrDefault("runs", "3"));
        cases = Stream.of(args.getOrDefault("cases", "1,2,3,4,5,6,7,8,9").split(",")).map(Integer::parseInt).toList();
        temporaryWork = !args.containsKey("work");
        work = temporaryWork ? Files.createTempDirectory("thunderstream-bench") : Path.of(args.get("work"));
        launcher = args.containsKey("thunderstream") ? Path.of(args.get("thunderstream")) : null;
        out = args.containsKey("out") ? Path.of(args.get("out")) : null;
        records = (int) Math.max(1000, Math.round(1_000_000 * scale));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new java.util.HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        Suite suite = new Suite(args);
        try {
            suite.run();
        } finally {
            if (suite.temporaryWork) {
                fresh(suite.work);
                Files.delete(suite.work);
            }
        }
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        for (String tool : List.of("mdb_dump", "mdb_load", "gzip")) {
            if (!onPath(tool)) {
                throw new IllegalStateException(tool + " is missing: apt-get install -y lmdb-utils gzip");
            }
        }
        String machine = machine();
        System.out.println(machine);
        PdnsData data = PdnsData.of(records);
        System.out.printf(Locale.ROOT, "data: %,d records + %,d domains = %,d entries, %d run(s) per case, work dir %s%n",
                records, records / 10, data.entries(), runs, work);

        // The source LMDB (instance A) and its mdb_dump, shared by the cases.
        Path source = work.resolve("source");
        if (!Files.exists(source.resolve("data.mdb"))) {
            try (Env<ByteBuffer> env = openEnv(source)) {
                data.writeTo(env);
            }
        }
        Path dump = work.resolve("source.dump");
        if (!Files.exists(dump)) {
            sh("mdb_dump -a '" + source + "' > '" + dump + "'");
        }
        System.out.printf(Locale.ROOT, "source LMDB %,d bytes, mdb_dump text %,d bytes%n",
                Files.size(source.resolve("data.mdb")), Files.size(dump));

        Path snapshot = work.resolve("snapshot.pb.gz");
        if (cases.contains(1) || !Files.exists(snapshot)) {
            caseSnapshot(source, snapshot);
        }
        Path merged = work.resolve("merged");
        if (cases.contains(2) || !Files.exists(merged.resolve("data.mdb"))) {
            caseMergeIntoEmpty(snapshot, dump, merged, data.entries());
        }
        double steadySeconds = 0;
        if (cases.contains(3) || cases.contains(4) || cases.contains(9)) {
            steadySeconds = caseSteadyState(snapshot, merged, data.entries());
        }
        if (cases.contains(4)) {
            caseOnePercent(data, merged, steadySeconds);
        }
        if (cases.contains(5)) {
            caseSmallHeap(source);
        }
        if (cases.contains(6)) {
            caseLatency();
        }
        if (cases.contains(7)) {
            caseLockWait(data, merged);
        }
        if (cases.contains(8)) {
            caseCodec();
        }
        if (cases.contains(9)) { // last: an instance runs one mode, and the native cases' JIT profile stays theirs
            caseShadowSteadyState(snapshot, data.entries(), steadySeconds);
        }
        String table = table();
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, machine + "\n\n" + table);
        }
    }

    // ---- case 1: snapshot to the file backend vs mdb_dump | gzip -1 ----

    private void caseSnapshot(Path source, Path snapshot) throws Exception {
        List<Double> ours = new ArrayList<>();
        List<Double> base = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Path bucket = fresh(work.resolve("bucket-1"));
            ours.add(seconds(() -> syncOnce(source, bucket, "bench-a", false)));
            base.add(seconds(() -> sh("mdb_dump -a '" + source + "' | gzip -1 > '" + work.resolve("dump.gz") + "'")));
            if (r == runs - 1) {
                try (Stream<Path> files = Files.list(bucket)) {
                    Files.copy(files.filter(p -> p.toString().endsWith(".pb.gz")).findFirst().orElseThrow(), snapshot,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        row("1. snapshot to `fs` backend vs `mdb_dump -a \\| gzip -1`", s(median(ours)), s(median(base)),
                ratio(median(ours), median(base)), "<= 0.35", median(ours) / median(base) <= 0.35);
        notes.add(String.format(Locale.ROOT, "case 1: snapshot %,d bytes; mdb_dump | gzip -1 %,d bytes",
                Files.size(snapshot), Files.size(work.resolve("dump.gz"))));
    }

    /** One {@code only_once} pass of a syncer on {@code lmdb}: stores a snapshot (or, receiving, merges). */
    private void syncOnce(Path lmdb, Path bucket, String instance, boolean receive) throws Exception {
        ThunderstreamConfig config = config(instance, lmdb, bucket, "1s", "1s").withOnlyOnce(true);
        try (Env<ByteBuffer> env = openEnv(lmdb); StorageBackend storage = fs(bucket);
                Syncer syncer = Syncer.builder(config).storage(storage).environment(DB, env).receiveOnly(receive).build()) {
            syncer.start();
            syncer.awaitTermination();
        }
    }

    // ---- case 2: merge into an empty LMDB vs mdb_load ----

    private void caseMergeIntoEmpty(Path snapshot, Path dump, Path merged, long entries) throws Exception {
        List<Double> sliced = new ArrayList<>();
        List<Double> oneTxn = new ArrayList<>();
        List<Double> base = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            sliced.add(mergeInto(fresh(merged), snapshot, Duration.ofMillis(50)));
            oneTxn.add(mergeInto(fresh(work.resolve("merged-one")), snapshot, Duration.ZERO));
            if (r == 0 || base.get(0) < 30) { // mdb_load commits (fsync) every 100 entries: once is enough when slow
                Path loaded = fresh(work.resolve("loaded"));
                base.add(seconds(() -> sh("mdb_load -f '" + dump + "' '" + loaded + "'")));
            }
        }
        row("2. receive into an empty LMDB (check + merge in 50 ms slices) vs `mdb_load`", s(median(sliced)),
                s(median(base)), ratio(median(sliced), median(base)), "<= 1.0", median(sliced) <= median(base));
        row("2b. the same in one transaction (`merge_lock_duration: 0`)", s(median(oneTxn)), s(median(base)),
                ratio(median(oneTxn), median(base)), "-", null);
        notes.add(String.format(Locale.ROOT, "case 2: %,d entries; %.1f M entries/s sliced, %.1f M/s in one transaction",
                entries, entries / median(sliced) / 1e6, entries / median(oneTxn) / 1e6));
    }

    /** What the receiver does with a download: the whole-snapshot check, then the merge. */
    private double mergeInto(Path lmdb, Path snapshot, Duration lock) throws Exception {
        try (Env<ByteBuffer> env = openEnv(lmdb)) {
            SnapshotMerger merger = new SnapshotMerger(LmdbEnvironment.wrap(DB, env), false, Map.of(), lock);
            return seconds(() -> {
                try (SnapshotSpool spool = spool()) {
                    merger.merge(check(snapshot, env, spool), 0);
                }
            });
        }
    }

    /**
     * Where the check keeps the decompressed snapshot: a temp file, as the receiver does for a
     * snapshot this large unless the heap is several GB.
     */
    private static SnapshotSpool spool() {
        return SnapshotSpool.tempFile("thunderstream-bench-");
    }

    private static SnapshotSource check(Path snapshot, Env<ByteBuffer> env, SnapshotSpool spool) throws IOException {
        return SnapshotCheck.check(SnapshotSource.of(snapshot.getFileName().toString(), snapshot), DB,
                env.getMaxKeySize(), SnapshotCheck.NATIVE_RULES, spool);
    }

    // ---- case 3: steady state ----

    /** Returns the median of the merge. */
    private double caseSteadyState(Path snapshot, Path merged, long entries) throws Exception {
        List<Double> times = new ArrayList<>();
        List<Double> checks = new ArrayList<>();
        List<Double> fromCompressed = new ArrayList<>();
        long written = 0;
        long txnMoves = 0;
        long ioBytes = 0;
        try (Env<ByteBuffer> env = openEnv(merged)) {
            SnapshotMerger merger = new SnapshotMerger(LmdbEnvironment.wrap(DB, env), false, Map.of(), Duration.ofMillis(50));
            for (int r = 0; r < runs; r++) {
                try (SnapshotSpool spool = spool()) {
                    SnapshotSource[] checked = new SnapshotSource[1];
                    checks.add(seconds(() -> checked[0] = check(snapshot, env, spool)));
                    if (r == 0) {
                        merger.merge(checked[0], 0); // warms the JIT up, as a long-running syncer is
                    }
                    long txn = env.info().lastTransactionId;
                    long io = processWriteBytes();
                    MergeResult[] result = new MergeResult[1];
                    times.add(seconds(() -> result[0] = merger.merge(checked[0], 0)));
                    ioBytes += processWriteBytes() - io;
                    written += result[0].entriesWritten();
                    txnMoves += env.info().lastTransactionId - txn;
                }
                // The same merge inflating the .pb.gz itself (one transaction needs no check).
                SnapshotMerger oneTxn = new SnapshotMerger(LmdbEnvironment.wrap(DB, env), false);
                fromCompressed.add(seconds(() -> oneTxn.merge(SnapshotSource.of("snapshot", snapshot), 0)));
            }
        }
        List<Double> gunzip = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            gunzip.add(seconds(() -> sh("gzip -dc < '" + snapshot + "' > /dev/null")));
        }
        double rate = entries / median(times);
        row("3. steady-state merge (snapshot equal to the data) of the checked download vs `gzip -dc` of the snapshot",
                String.format(Locale.ROOT, "%s = %.2f M entries/s", s(median(times)), rate / 1e6), s(median(gunzip)),
                ratio(median(times), median(gunzip)), ">= 5 M entries/s, 0 written",
                rate >= 5e6 && written == 0 && txnMoves == 0);
        row("3b. its check after the download (inflates once, decompressed to a temp file) vs `gzip -dc`",
                s(median(checks)), s(median(gunzip)), ratio(median(checks), median(gunzip)), "-", null);
        row("3c. the merge inflating the `.pb.gz` itself, one transaction (before the spool) vs `gzip -dc`",
                s(median(fromCompressed)), s(median(gunzip)), ratio(median(fromCompressed), median(gunzip)), "-", null);
        notes.add(String.format(Locale.ROOT, "case 3: over %d runs %d entries written, txn id moved by %d, %,d bytes written by the"
                + " process during the merges (write system calls)", runs, written, txnMoves, ioBytes));
        return median(times);
    }

    // ---- case 4: 1 % changed ----

    private void caseOnePercent(PdnsData data, Path merged, double steadySeconds) throws Exception {
        ChangedMerges spread = mergeChanged(merged, ts -> data.changed(100, ts));
        ChangedMerges inRuns = mergeChanged(merged, ts -> data.changedInRuns(100, 100, ts));
        double merge = median(spread.seconds);
        List<Double> spreadRatios = ratios(spread.seconds, spread.steadySeconds);
        List<Double> inRunsRatios = ratios(inRuns.seconds, inRuns.steadySeconds);
        double pairedRatio = median(spreadRatios);
        row("4. merge with 1 % changed (checked at download) vs case 3 run beside it (the same download checked and"
                + " merged again right after: equal to the data; median of the runs' ratios)", s(merge), s(median(spread.steadySeconds)),
                decimal(pairedRatio), "<= 1.2", pairedRatio <= 1.2);
        row("4a. the same vs case 3's own runs (before case 4, minutes apart)", s(merge), s(steadySeconds),
                ratio(merge, steadySeconds), "-", null);
        List<Double> received = sums(spread.checks, spread.seconds);
        List<Double> steadyReceived = sums(spread.steadyChecks, spread.steadySeconds);
        row("4b. the same with its check (all the receiving) vs case 3 with its check beside it", s(median(received)),
                s(median(steadyReceived)), decimal(median(ratios(received, steadyReceived))), "-", null);
        row("4c. the same 1 % in runs of 100 adjacent entries (a zone edited at once: fewer pages) vs case 3 run beside it",
                s(median(inRuns.seconds)), s(median(inRuns.steadySeconds)),
                decimal(median(inRunsRatios)), "-", null);
        long pages = (long) median(spread.bytesWritten) / PAGE_SIZE;
        if (pages > 0) {
            double disk = median(writeScatteredPages(pages));
            row(String.format(Locale.ROOT, "4d. case 4's merge vs the disk alone writing as many pages (%,d, one in five of a"
                    + " file, one `pwrite` each) and syncing them", pages), s(merge), s(disk), ratio(merge, disk), "-", null);
        }
        double cpu = median(spread.cpuSeconds);
        double steadyCpu = median(spread.steadyCpuSeconds);
        row("4e. the process's CPU time in case 4's merge vs in case 3 run beside it (2 cores: the wall time is at least"
                + " half of it)", s(cpu), s(steadyCpu), ratio(cpu, steadyCpu), "-", null);
        double lmdbCpu = median(lmdbWritesAlone(merged, data, 100, (int) median(spread.commitCounts)));
        row("4f. case 3's CPU time plus LMDB's own for case 4's writes (bare lmdbjava putting the same entries again, each"
                + " sought and rewritten, in as many commits) vs case 3's: the least CPU ratio those writes allow",
                s(steadyCpu + lmdbCpu), s(steadyCpu), ratio(steadyCpu + lmdbCpu, steadyCpu), "-", null);
        // The absolute cost of the changes, which does not grow as the steady state gets faster.
        double entriesPerRun = (double) spread.entriesWritten / runs;
        double extraPerEntry = median(differences(spread.seconds, spread.steadySeconds)) / entriesPerRun;
        row("4g. case 4's time beyond case 3 run beside it, per 1,000 entries written (median of the runs)",
                String.format(Locale.ROOT, "%.1f ms", extraPerEntry * 1e6), "-", "-", "-", null);
        notes.add(String.format(Locale.ROOT, "case 4: %,d entries written per run, in %s commits, %.0f MB written by the merge"
                + " (%s commits, %.0f MB in runs of 100); the whole-snapshot check (run by the receiver on its download thread)"
                + " took %s more; ratios of the runs %s (in runs of 100: %s)", spread.entriesWritten / runs, spread.commits(),
                median(spread.bytesWritten) / 1e6, inRuns.commits(), median(inRuns.bytesWritten) / 1e6,
                s(median(spread.checks)), decimals(spreadRatios), decimals(inRunsRatios)));
    }

    /**
     * Case 4's merges of one way of changing 1 %, each followed by a steady-state merge of the
     * same snapshot (now equal to the data): times, CPU times, checks, commits and bytes written.
     */
    private record ChangedMerges(List<Double> seconds, List<Double> steadySeconds, List<Double> cpuSeconds,
            List<Double> steadyCpuSeconds, List<Double> checks, List<Double> steadyChecks, List<Double> commitCounts,
            List<Double> bytesWritten, long entriesWritten) {

        static ChangedMerges of(List<TimedMerge> changed, List<TimedMerge> steady) {
            return new ChangedMerges(each(changed, TimedMerge::seconds), each(steady, TimedMerge::seconds),
                    each(changed, TimedMerge::cpuSeconds), each(steady, TimedMerge::cpuSeconds),
                    each(changed, TimedMerge::checkSeconds), each(steady, TimedMerge::checkSeconds),
                    each(changed, m -> m.result().committedTxnIds().size()), each(changed, TimedMerge::bytesWritten),
                    changed.stream().mapToLong(m -> m.result().entriesWritten()).sum());
        }

        /** The median number of write transactions a merge committed. */
        String commits() {
            return String.format(Locale.ROOT, "%.0f", median(commitCounts));
        }
    }

    /** A download checked, then merged: the seconds of each; the process's CPU time and bytes written during the merge. */
    private record TimedMerge(double checkSeconds, double seconds, double cpuSeconds, double bytesWritten, MergeResult result) {
    }

    private ChangedMerges mergeChanged(Path merged, LongFunction<PdnsData> changedAt) throws Exception {
        List<TimedMerge> changed = new ArrayList<>();
        List<TimedMerge> steady = new ArrayList<>();
        try (Env<ByteBuffer> env = openEnv(merged)) {
            SnapshotMerger merger = new SnapshotMerger(LmdbEnvironment.wrap(DB, env), false, Map.of(), Duration.ofMillis(50));
            Path snapshot = work.resolve("changed-1pct.pb.gz");
            for (int r = -1; r < runs; r++) { // run -1 warms the writer's code up, as a long-running syncer is
                // Newer than anything the LMDB holds, also on a rerun with the same work dir.
                changedAt.apply(System.currentTimeMillis() * 1_000_000L).writeSnapshot(snapshot, DB);
                TimedMerge merge = checkAndMerge(snapshot, env, merger);
                // Case 3 beside it: the same download checked again (as each case 3 run is, so both
                // merges follow a check) and merged again, now equal to the data.
                TimedMerge again = checkAndMerge(snapshot, env, merger);
                if (again.result().entriesWritten() != 0) {
                    throw new IllegalStateException("case 4: merging the same snapshot again wrote "
                            + again.result().entriesWritten() + " entries");
                }
                if (r >= 0) {
                    changed.add(merge);
                    steady.add(again);
                }
            }
        }
        return ChangedMerges.of(changed, steady);
    }

    private TimedMerge checkAndMerge(Path snapshot, Env<ByteBuffer> env, SnapshotMerger merger) throws Exception {
        try (SnapshotSpool spool = spool()) {
            SnapshotSource[] checked = new SnapshotSource[1];
            double check = seconds(() -> checked[0] = check(snapshot, env, spool));
            MergeResult[] result = new MergeResult[1];
            long io = processWriteBytes();
            long cpu = processCpuNanos();
            double merge = seconds(() -> result[0] = merger.merge(checked[0], 0));
            double cpuSeconds = (processCpuNanos() - cpu) / 1e9;
            return new TimedMerge(check, merge, cpuSeconds, processWriteBytes() - io, result[0]);
        }
    }

    /**
     * LMDB's own share of case 4, without the merge: the entries it changes (every {@code every}-th
     * of each DBI) put again by one thread, each sought from the root as the merge's writer seeks
     * it and rewritten with its own bytes (so the data stays as it is), in {@code commits} write
     * transactions as the merge's. The thread's CPU time per run, after one to warm up.
     */
    private List<Double> lmdbWritesAlone(Path merged, PdnsData data, int every, int commits) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> cpuTimes = new ArrayList<>();
        try (Env<ByteBuffer> env = openEnv(merged)) {
            List<Dbi<ByteBuffer>> dbis = data.dbis().stream().map(source -> env.openDbi(source.name())).toList();
            List<List<ByteBuffer>> keys = new ArrayList<>();
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                for (Dbi<ByteBuffer> dbi : dbis) {
                    List<ByteBuffer> dbiKeys = new ArrayList<>();
                    try (Cursor<ByteBuffer> cursor = dbi.openCursor(txn)) {
                        long i = 0;
                        for (boolean more = cursor.first(); more; more = cursor.next(), i++) {
                            if (i % every == 0) {
                                dbiKeys.add(ByteBuffer.allocateDirect(cursor.key().remaining()).put(cursor.key()).flip());
                            }
                        }
                    }
                    keys.add(dbiKeys);
                }
            }
            long perCommit = Math.max(1, keys.stream().mapToLong(List::size).sum() / Math.max(1, commits));
            ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 256);
            for (int r = -1; r < runs; r++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long put = 0;
                Txn<ByteBuffer> txn = env.txnWrite();
                try {
                    for (int d = 0; d < dbis.size(); d++) {
                        Cursor<ByteBuffer> cursor = dbis.get(d).openCursor(txn);
                        for (ByteBuffer key : keys.get(d)) {
                            if (!cursor.get(key, GetOp.MDB_SET_KEY)) {
                                throw new IllegalStateException("case 4f: a key of " + data.dbis().get(d).name() + " is gone");
                            }
                            value.clear().put(cursor.val()).flip();
                            cursor.reserve(key, value.remaining()).put(value);
                            if (++put % perCommit == 0) {
                                cursor.close();
                                txn.commit();
                                txn.close();
                                txn = env.txnWrite();
                                cursor = dbis.get(d).openCursor(txn);
                            }
                        }
                        cursor.close();
                    }
                    txn.commit();
                } finally {
                    txn.close();
                }
                if (r >= 0) {
                    cpuTimes.add((threads.getCurrentThreadCpuTime() - cpu) / 1e9);
                }
            }
        }
        return cpuTimes;
    }

    /**
     * The disk's share of case 4: {@code pages} pages written to every fifth page of a file, as a
     * merge's changed leaf pages lie, and one {@code fdatasync}; the file is written whole first,
     * as the LMDB's is.
     */
    private List<Double> writeScatteredPages(long pages) throws Exception {
        Path file = work.resolve("scattered-pages");
        ByteBuffer page = ByteBuffer.allocateDirect(PAGE_SIZE);
        List<Double> times = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long at = 0; at < pages * 5; at++) {
                channel.write(page.clear(), at * PAGE_SIZE);
            }
            channel.force(false);
            for (int r = 0; r < runs; r++) {
                times.add(seconds(() -> {
                    for (long at = 0; at < pages * 5; at += 5) {
                        channel.write(page.clear(), at * PAGE_SIZE);
                    }
                    channel.force(false);
                }));
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return times;
    }

    // ---- case 5: -Xmx64m, through the packaged launcher ----

    private void caseSmallHeap(Path source) throws Exception {
        if (launcher == null || !Files.isExecutable(launcher)) {
            String why = "case 5 needs --thunderstream PATH/bin/thunderstream (mvn -pl distribution -am package)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            notes.add("case 5 skipped: " + why);
            return;
        }
        Path bucket = fresh(work.resolve("bucket-5"));
        Path target = fresh(work.resolve("small-heap"));
        Path configA = writeConfig("a", source, bucket, false);
        Path configB = writeConfig("b", target, bucket, true);
        String[] sync = child(configA, "sync", "sync-a");
        String[] receive = child(configB, "receive", "receive-b");
        long entries;
        try (Env<ByteBuffer> env = openEnv(target); Txn<ByteBuffer> txn = env.txnRead()) {
            entries = 0;
            for (String name : List.of("domains_v5", "records_v5")) {
                entries += env.openDbi(txn, name.getBytes(StandardCharsets.UTF_8), null, false).stat(txn).entries;
            }
        }
        row("5a. snapshot (`thunderstream sync --only-once`) with `-Xmx64m`", sync[0] + " s, peak RSS " + sync[1]
                + " MiB, peak heap " + sync[2] + " MiB", "-", "-", "completes", !sync[0].isEmpty());
        row("5b. merge into an empty LMDB (`thunderstream receive --only-once`) with `-Xmx64m`", receive[0]
                + " s, peak RSS " + receive[1] + " MiB, peak heap " + receive[2] + " MiB", "-", "-", "completes",
                entries == PdnsData.of(records).entries());
        notes.add(String.format(Locale.ROOT, "case 5: the receiving LMDB holds %,d entries after the run", entries));
    }

    private Path writeConfig(String name, Path lmdb, Path bucket, boolean create) throws IOException {
        Path file = work.resolve("config-" + name + ".yaml");
        Files.writeString(file, """
                instance: bench-%s
                lmdbs:
                  %s:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: %s
                      map_size: %d
                storage:
                  type: fs
                  options:
                    root_path: %s
                """.formatted(name, DB, lmdb, create, mapSize(), bucket));
        return file;
    }

    /** Runs the launcher with {@code -Xmx64m}: {wall seconds, peak RSS MiB, peak heap MiB}. */
    private String[] child(Path config, String command, String name) throws Exception {
        Path gcLog = work.resolve(name + "-gc.log");
        Path timeLog = work.resolve(name + "-time.txt");
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/time", "-o", timeLog.toString(), "-f", "%e %M",
                launcher.toString(), "-c", config.toString(), command, "--only-once");
        pb.environment().put("JAVA_OPTS", "-Xmx64m -Xlog:gc:file=" + gcLog);
        pb.redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
        int code = pb.start().waitFor();
        if (code != 0) {
            throw new IllegalStateException(name + " with -Xmx64m failed (exit " + code + "); see " + work.resolve(name + ".log"));
        }
        String[] time = Files.readString(timeLog).trim().split("\\s+");
        long peakHeap = 0;
        var m = java.util.regex.Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        while (m.find()) {
            peakHeap = Math.max(peakHeap, Long.parseLong(m.group(1)));
        }
        return new String[] {time[0], String.valueOf(Long.parseLong(time[1]) / 1024), String.valueOf(peakHeap)};
    }

    // ---- case 6: replication latency ----

    private void caseLatency() throws Exception {
        int writes = (int) Math.max(20, Math.round(200 * Math.min(1.0, scale * 10)));
        for (String interval : List.of("100ms", "1s")) {
            Path bucket = fresh(work.resolve("bucket-6"));
            latencyRow("`fs` backend", interval, latency(storage("fs", Map.of("root_path", bucket)), interval, writes), true);
        }
        // S3Proxy in this JVM (in memory, on loopback, signatures checked), reached through the s3 backend.
        try (S3ProxyServer s3 = S3ProxyServer.startPrivate()) {
            for (String interval : List.of("100ms", "1s")) {
                String storage = storage("s3", s3.options(s3.newBucket()));
                latencyRow("S3Proxy", interval, latency(storage, interval, writes), false);
            }
        }
        notes.add("case 6: " + writes + " writes per setting, one every 50 ms, each a new key; B polls its LMDB every ms;"
                + " each instance opens its own backend from its config; S3Proxy in the same JVM, in memory, on loopback");
    }

    private void latencyRow(String storage, String interval, List<Double> latencies, boolean target) {
        double p50 = percentile(latencies, 50);
        double p99 = percentile(latencies, 99);
        boolean fast = interval.equals("100ms");
        row("6. replication latency A -> B, " + storage + ", " + (fast ? "100 ms intervals" : "default (1 s) intervals"),
                String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", p50, p99), "-", "-",
                fast && target ? "p99 <= 400 ms" : "-", fast && target ? p99 <= 400 : null);
    }

    /** Milliseconds from each write's commit on A to its appearance on B, both syncing through {@code storage}. */
    private List<Double> latency(String storage, String interval, int writes) throws Exception {
        Path a = fresh(work.resolve("latency-a"));
        Path b = fresh(work.resolve("latency-b"));
        ThunderstreamConfig configA = config("a", a, storage, interval, interval);
        ThunderstreamConfig configB = config("b", b, storage, interval, interval);
        Map<String, Long> committed = new ConcurrentHashMap<>();
        Map<String, Long> seen = new ConcurrentHashMap<>();
        try (Env<ByteBuffer> envA = openEnv(a); Env<ByteBuffer> envB = openEnv(b);
                StorageBackend storageA = open(configA); StorageBackend storageB = open(configB)) {
            Dbi<ByteBuffer> dbiA = envA.openDbi("records_v5", org.lmdbjava.DbiFlags.MDB_CREATE);
            Dbi<ByteBuffer> dbiB = envB.openDbi("records_v5", org.lmdbjava.DbiFlags.MDB_CREATE);
            put(envA, dbiA, "seed", 1);
            try (Syncer syncA = Syncer.builder(configA).storage(storageA).environment(DB, envA).build();
                    Syncer syncB = Syncer.builder(configB).storage(storageB).environment(DB, envB).build()) {
                syncA.start();
                syncB.start();
                syncA.awaitFirstPass(Duration.ofMinutes(1));
                syncB.awaitFirstPass(Duration.ofMinutes(1));
                AtomicBoolean done = new AtomicBoolean();
                Thread watcher = new Thread(() -> watch(envB, dbiB, committed, seen, done), "watcher");
                watcher.start();
                for (int i = 0; i < writes; i++) {
                    String key = String.format("latency-%05d", i);
                    put(envA, dbiA, key, System.currentTimeMillis() * 1_000_000L);
                    committed.put(key, System.nanoTime());
                    Thread.sleep(50); // the write rate, not a synchronisation
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen.size() < writes && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                done.set(true);
                watcher.join();
            }
        }
        if (seen.size() < writes) {
            throw new IllegalStateException("case 6: only " + seen.size() + " of " + writes + " writes reached B within 60 s");
        }
        List<Double> ms = new ArrayList<>();
        committed.forEach((k, t) -> ms.add((seen.get(k) - t) / 1e6));
        return ms;
    }

    private static void watch(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, Map<String, Long> committed, Map<String, Long> seen,
            AtomicBoolean done) {
        ByteBuffer key = ByteBuffer.allocateDirect(64);
        while (!done.get()) {
            try (Txn<ByteBuffer> txn = env.txnRead()) {
                for (String k : committed.keySet()) {
                    if (!seen.containsKey(k)) {
                        key.clear();
                        key.put(k.getBytes(StandardCharsets.UTF_8)).flip();
                        if (dbi.get(txn, key) != null) {
                            seen.put(k, System.nanoTime());
                        }
                    }
                }
            }
            try {
                Thread.sleep(1); // the polling rate of the observer
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void put(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, String k, long ts) {
        ByteBuffer key = ByteBuffer.allocateDirect(64).put(k.getBytes(StandardCharsets.UTF_8)).flip();
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 16);
            ValueHeader.write(value, ts, txn.getId(), 0);
            value.put("192.0.2.1".getBytes(StandardCharsets.UTF_8)).flip();
            dbi.put(txn, key, value);
            txn.commit();
        }
    }

    // ---- case 7: write-lock wait of an application writer during a big merge ----

    private void caseLockWait(PdnsData data, Path merged) throws Exception {
        List<Double> sliced = new ArrayList<>();
        List<Double> oneTxn = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        try (Env<ByteBuffer> env = openEnv(merged)) {
            LmdbEnvironment lmdb = LmdbEnvironment.wrap(DB, env);
            Dbi<ByteBuffer> app = env.openDbi("app_writes", org.lmdbjava.DbiFlags.MDB_CREATE);
            Path half = work.resolve("changed-half.pb.gz");
            int round = 0;
            for (int r = 0; r < runs; r++) {
                for (Duration lock : List.of(Duration.ofMillis(50), Duration.ZERO)) {
                    data.changed(2, PdnsData.BASE_TS + 1_000_000_000L * (100 + round++)).writeSnapshot(half, DB);
                    try (SnapshotSpool spool = spool()) {
                        SnapshotSource checked = check(half, env, spool);
                        double wait = longestWait(env, app, () -> {
                            try {
                                return new SnapshotMerger(lmdb, false, Map.of(), lock).merge(checked, 0).entriesWritten();
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                        (lock.isZero() ? oneTxn : sliced).add(wait);
                    }
                }
                // The same writer with no merge for as long: what the machine's scheduling alone costs.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                idle.add(longestWait(env, app, () -> {
                    LockSupport.parkNanos(until - System.nanoTime());
                    return 0;
                }));
            }
        }
        row("7. longest write-lock wait of an app writer during a merge with half changed, 50 ms slices",
                String.format(Locale.ROOT, "%.0f ms", median(sliced)), "-", "-", "<= 100 ms", median(sliced) <= 100);
        row("7b. the same, one transaction", String.format(Locale.ROOT, "%.0f ms", median(oneTxn)), "-", "-", "-", null);
        row("7c. the same writer for 3 s without a merge (scheduling noise of the machine)",
                String.format(Locale.ROOT, "%.0f ms", median(idle)), "-", "-", "-", null);
    }

    /** Runs {@code merge} while a writer commits a small transaction every 5 ms; its longest wait for the lock, ms. */
    private static double longestWait(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, LongSupplier merge) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong longest = new AtomicLong();
        Thread writer = new Thread(() -> {
            int i = 0;
            while (!done.get()) {
                long t0 = System.nanoTime();
                try (Txn<ByteBuffer> txn = env.txnWrite()) {
                    longest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    ByteBuffer key = ByteBuffer.allocateDirect(16).putInt(i++).flip();
                    ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 8);
                    ValueHeader.write(value, System.currentTimeMillis() * 1_000_000L, txn.getId(), 0);
                    value.putLong(i).flip();
                    dbi.put(txn, key, value);
                    txn.commit();
                }
                try {
                    Thread.sleep(5); // the application's write rate
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "app-writer");
        writer.start();
        try {
            merge.getAsLong();
        } finally {
            done.set(true);
            writer.join();
        }
        return longest.get() / 1e6;
    }

    // ---- case 8 (issue 3): the snapshot codec with gzip vs pigz and gzip -dc on the same bytes ----

    private void caseCodec() throws Exception {
        CodecData codec = new CodecData();
        byte[] protobuf = codec.protobuf();
        Path pb = work.resolve("codec.pb");
        Path gz = work.resolve("codec.pb.gz");
        Files.write(pb, protobuf);
        Files.write(gz, CodecData.gzip(protobuf, 1));
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        List<Double> pigz1 = new ArrayList<>();
        List<Double> pigz2 = new ArrayList<>();
        List<Double> gunzip = new ArrayList<>();
        boolean pigz = onPath("pigz");
        int n = scale >= 1 ? Math.max(5, runs) : runs;
        for (int r = -1; r < n; r++) { // run -1 warms the JIT up
            double o = seconds(() -> encodeGzip(codec, 1));
            double t = seconds(() -> encodeGzip(codec, 2));
            double d = seconds(() -> gunzipDecode(gz));
            double p1 = pigz ? seconds(() -> sh("pigz -1 -p 1 < '" + pb + "' > /dev/null")) : 0;
            double p2 = pigz ? seconds(() -> sh("pigz -1 -p 2 < '" + pb + "' > /dev/null")) : 0;
            double g = seconds(() -> sh("gzip -dc < '" + gz + "' > /dev/null"));
            if (r >= 0) {
                one.add(o);
                two.add(t);
                read.add(d);
                pigz1.add(p1);
                pigz2.add(p2);
                gunzip.add(g);
            }
        }
        if (pigz) {
            row("8a. codec (issue 3): encode + gzip -1, one thread vs `pigz -1 -p 1`", s(median(one)), s(median(pigz1)),
                    ratio(median(one), median(pigz1)), "-", null);
            row("8b. codec (issue 3): encode + gzip -1, two threads vs `pigz -1 -p 2`", s(median(two)), s(median(pigz2)),
                    ratio(median(two), median(pigz2)), "<= 1.15", median(two) / median(pigz2) <= 1.15);
            contended(codec, pb);
        } else {
            notes.add("case 8: pigz missing (apt-get install -y pigz): no compression baseline");
        }
        row("8c. codec (issue 3): gunzip + decode vs `gzip -dc`", s(median(read)), s(median(gunzip)),
                ratio(median(read), median(gunzip)), "<= 1.15", median(read) / median(gunzip) <= 1.15);
        notes.add(String.format(Locale.ROOT, "case 8: %,d entries (14-byte keys, 100-byte values), %,d bytes of protobuf;"
                + " %d alternating runs of ours and the baseline", CodecData.ENTRIES, protobuf.length, n));
    }

    /** 8b again while a busy loop holds one of the cores, as another process would. */
    private void contended(CodecData codec, Path pb) throws Exception {
        List<Double> two = new ArrayList<>();
        List<Double> pigz2 = new ArrayList<>();
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            for (int r = 0; r < 3; r++) {
                two.add(seconds(() -> encodeGzip(codec, 2)));
                pigz2.add(seconds(() -> sh("pigz -1 -p 2 < '" + pb + "' > /dev/null")));
            }
        } finally {
            busy.destroyForcibly().waitFor();
        }
        row("8d. the same while a busy loop holds one core", s(median(two)), s(median(pigz2)),
                ratio(median(two), median(pigz2)), "-", null);
    }

    private static long encodeGzip(CodecData codec, int threads) throws IOException {
        long[] count = {0};
        java.io.OutputStream counter = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (java.io.OutputStream out = io.thunderstream.engine.snapshot.Gzip.compress(counter, 1, threads)) {
            codec.write(out);
        }
        return count[0];
    }

    private static long gunzipDecode(Path gz) throws IOException {
        long entries = 0;
        try (var in = Files.newInputStream(gz);
                var reader = io.thunderstream.engine.snapshot.SnapshotReader.openGzip(in)) {
            for (var e = reader.next(); e != io.thunderstream.engine.snapshot.SnapshotReader.Event.END; e = reader.next()) {
                if (e == io.thunderstream.engine.snapshot.SnapshotReader.Event.ENTRY) {
                    entries += reader.key().remaining() > 0 ? 1 : 0;
                }
            }
        }
        return entries;
    }

    // ---- case 9: steady state in shadow mode ----

    /**
     * Case 3 in shadow mode (PowerDNS 4.7: {@code schema_tracks_changes: false}): the snapshot merged
     * into an empty LMDB, which fills the application DBIs and their shadows, then merged again.
     */
    private void caseShadowSteadyState(Path snapshot, long entries, double nativeSeconds) throws Exception {
        List<Double> times = new ArrayList<>();
        long written = 0;
        Path lmdb = fresh(work.resolve("shadow"));
        try (Env<ByteBuffer> env = openEnv(lmdb)) {
            LmdbConfig config = ThunderstreamConfig.parse("""
                    lmdbs:
                      %s:
                        path: %s
                        schema_tracks_changes: false
                    %s
                    """.formatted(DB, lmdb, storage("fs", Map.of("root_path", work.resolve("bucket-9")))), Map.of())
                    .lmdbs().get(DB);
            ShadowMode mode = new ShadowMode(LmdbEnvironment.wrap(DB, env), config, () -> System.currentTimeMillis() * 1_000_000L);
            mode.start();
            try (SnapshotSpool spool = spool()) {
                SnapshotSource checked = mode.check(SnapshotSource.of(snapshot.getFileName().toString(), snapshot), spool);
                mode.merge(checked, 0); // fills the LMDB
                mode.merge(checked, 0); // warms the JIT up
                for (int r = 0; r < runs; r++) {
                    MergeResult[] result = new MergeResult[1];
                    times.add(seconds(() -> result[0] = mode.merge(checked, 0)));
                    written += result[0].entriesWritten();
                }
            }
        }
        if (written != 0) {
            throw new IllegalStateException("case 9: steady-state merges in shadow mode wrote " + written + " entries");
        }
        double merge = median(times);
        row("9. steady-state merge in shadow mode (PowerDNS 4.7: the shadow DBIs compared, the upper half searched beside) vs case 3",
                String.format(Locale.ROOT, "%s = %.2f M entries/s", s(merge), entries / merge / 1e6), s(nativeSeconds),
                ratio(merge, nativeSeconds), "-", null);
    }

    // ---- helpers ----

    private ThunderstreamConfig config(String instance, Path lmdb, Path bucket, String lmdbPoll, String storagePoll) {
        return config(instance, lmdb, storage("fs", Map.of("root_path", bucket)), lmdbPoll, storagePoll);
    }

    private ThunderstreamConfig config(String instance, Path lmdb, String storage, String lmdbPoll, String storagePoll) {
        return ThunderstreamConfig.parse("""
                instance: bench-%s
                lmdbs:
                  %s:
                    path: %s
                    schema_tracks_changes: true
                %s
                lmdb_poll_interval: %s
                storage_poll_interval: %s
                """.formatted(instance, DB, lmdb, storage, lmdbPoll, storagePoll), Map.of());
    }

    /** The {@code storage} section of a config, as a user writes it. */
    private static String storage(String type, Map<String, ?> options) {
        StringBuilder yaml = new StringBuilder("storage:\n  type: ").append(type).append("\n  options:");
        options.forEach((k, v) -> yaml.append("\n    ").append(k).append(": \"").append(v).append('"'));
        return yaml.toString();
    }

    /** The backend a config names, found through the storage SPI as the command line finds it. */
    private static StorageBackend open(ThunderstreamConfig config) throws IOException {
        return StorageBackends.discover(Suite.class.getClassLoader()).open(config.storage().backend());
    }

    private static StorageBackend fs(Path bucket) throws IOException {
        return StorageBackends.discover(Suite.class.getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", bucket.toString())));
    }

    private long mapSize() {
        return Math.max(64L << 20, (long) (4L * (1L << 30) * Math.min(1.0, scale * 2)));
    }

    private Env<ByteBuffer> openEnv(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Env.create().setMapSize(mapSize()).setMaxDbs(16).setMaxReaders(126).open(dir.toFile(), EnvFlags.MDB_NOTLS);
    }

    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    @FunctionalInterface
    private interface Timed {
        void run() throws Exception;
    }

    private static double seconds(Timed timed) throws Exception {
        long t0 = System.nanoTime();
        timed.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void sh(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + command);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes this process passed to write system calls ({@code wchar} of {@code /proc/self/io}):
     * counted as written, unlike {@code write_bytes}, which counts a file's pages when the kernel
     * writes them back, maybe during a later merge.
     */
    private static long processWriteBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** CPU time of all the process's threads, as the kernel accounts it (in its clock ticks). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Each run's figure over its steady-state one: the machine's drift between runs cancels out. */
    private static List<Double> ratios(List<Double> changed, List<Double> steady) {
        return IntStream.range(0, changed.size()).mapToObj(r -> changed.get(r) / steady.get(r)).toList();
    }

    /** One figure of each merge, in order. */
    private static List<Double> each(List<TimedMerge> merges, ToDoubleFunction<TimedMerge> figure) {
        return merges.stream().map(figure::applyAsDouble).toList();
    }

    /** Each run's two figures added up. */
    private static List<Double> sums(List<Double> a, List<Double> b) {
        return IntStream.range(0, a.size()).mapToObj(r -> a.get(r) + b.get(r)).toList();
    }

    /** Each run's first figure less its second. */
    private static List<Double> differences(List<Double> a, List<Double> b) {
        return IntStream.range(0, a.size()).mapToObj(r -> a.get(r) - b.get(r)).toList();
    }

    private static String decimals(List<Double> xs) {
        return String.join(", ", xs.stream().map(Suite::decimal).toList());
    }

    private static double median(List<Double> xs) {
        return percentile(xs, 50);
    }

    private static double percentile(List<Double> xs, double p) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        if (p == 50 && sorted.size() % 2 == 0) {
            return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String s(double seconds) {
        return String.format(Locale.ROOT, "%.2f s", seconds);
    }

    private static String ratio(double a, double b) {
        return decimal(a / b);
    }

    private static String decimal(double x) {
        return String.format(Locale.ROOT, "%.2f", x);
    }

    private void row(String what, String ours, String baseline, String ratio, String target, Boolean met) {
        String verdict = met == null ? "" : met ? "met" : "**not met**";
        rows.add(new String[] {what, ours, baseline, ratio, target, verdict});
        System.out.println(String.join(" | ", rows.get(rows.size() - 1)));
    }

    private String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Scale %s (%,d records), medians of %d runs.%n%n", scale, records, runs));
        b.append("| case | Thunderstream | baseline | ratio | target | |\n|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        b.append('\n');
        for (String n : notes) {
            b.append("- ").append(n).append('\n');
        }
        return b.toString();
    }

    private static String machine() {
        StringBuilder b = new StringBuilder("machine: ");
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            b.append(Runtime.getRuntime().availableProcessors()).append(" cpus (").append(cpu).append("), ").append(mem)
                    .append(", load average ").append(load).append(", ");
        } catch (IOException e) {
            b.append("(no /proc) ");
        }
        b.append("Java ").append(System.getProperty("java.version")).append(' ').append(System.getProperty("os.name"))
                .append(' ').append(System.getProperty("os.version"));
        return b.toString();
    }
}
