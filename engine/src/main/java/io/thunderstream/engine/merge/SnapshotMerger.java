package io.thunderstream.engine.merge;

import io.thunderstream.engine.config.DbiOptions;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges a remote snapshot into a native-mode LMDB, key by key, last writer wins (compat.md
 * section 3): a remote entry replaces the local one when its timestamp is newer, or equal with a
 * bigger application value (unsigned byte order), so every instance ends with the same bytes
 * whatever order snapshots arrive in. Keys the snapshot does not hold are left alone.
 *
 * <p>The snapshot is streamed: entries are compared one at a time as they are decoded, in a read
 * transaction, beside a cursor walking the DBI (a merge join, {@link JoinCursor}). So a snapshot
 * that changes nothing (the steady state) never takes LMDB's write lock. A large checked snapshot
 * is compared in two halves on two threads ({@link SplitPoint}). The entries that win are handed
 * to a {@link MergeWriter}, which writes them on its own thread while the comparing goes on.
 *
 * <p>The writer holds the write lock at most {@code lockDuration} at a time
 * ({@code merge_lock_duration}), in slices ({@link MergeTransactions}), so application writers
 * wait about that long at most. A merge that fits in one write transaction commits only once the
 * whole snapshot decoded without error, so a corrupt or truncated snapshot applies nothing. A
 * merge that needs several commits first checks the whole snapshot ({@link SnapshotCheck}; the
 * receiver usually did that right after the download), so it too applies nothing of a snapshot
 * that would be rejected. Between its commits readers see part of the snapshot applied, each key
 * whole; an interrupted merge is simply redone, every snapshot being a full state.
 */
public final class SnapshotMerger {

    private static final Logger log = LoggerFactory.getLogger(SnapshotMerger.class);

    private final LmdbEnvironment lmdb;
    private final boolean headerExtraPadding;
    private final Map<String, DbiOptions> dbiOptions;
    private final long lockNanos;

    /** A merger that writes each snapshot in one transaction, as Lightning Stream does. */
    public SnapshotMerger(LmdbEnvironment lmdb, boolean headerExtraPadding) {
        this(lmdb, headerExtraPadding, Map.of(), Duration.ZERO);
    }

    /** @param dbiOptions per-DBI settings: {@code override_create_flags} replaces a new DBI's flags from the snapshot */
    public SnapshotMerger(LmdbEnvironment lmdb, boolean headerExtraPadding, Map<String, DbiOptions> dbiOptions) {
        this(lmdb, headerExtraPadding, dbiOptions, Duration.ZERO);
    }

    /**
     * @param headerExtraPadding write headers with one empty extension block (for testing readers)
     * @param dbiOptions         per-DBI settings: {@code override_create_flags} replaces a new DBI's flags from the snapshot
     * @param lockDuration       how long one write transaction may hold the lock; zero: no limit
     */
    public SnapshotMerger(LmdbEnvironment lmdb, boolean headerExtraPadding, Map<String, DbiOptions> dbiOptions,
            Duration lockDuration) {
        this.lmdb = lmdb;
        this.headerExtraPadding = headerExtraPadding;
        this.dbiOptions = dbiOptions;
        this.lockNanos = lockDuration.toNanos();
    }

    /**
     * Merges {@code source} into the LMDB.
     *
     * @param deletedCutoffNanos remote tombstones older than this (ns since the epoch) are not
     *                           added for absent keys, so the sweeper's work is not undone; 0: none
     */
    public MergeResult merge(SnapshotSource source, long deletedCutoffNanos) throws IOException {
        try {
            return MergeTransactions.merge(source, lmdb.name(), (s, spool) -> SnapshotCheck.check(s, lmdb.name(),
                    lmdb.env().getMaxKeySize(), SnapshotCheck.NATIVE_RULES, spool),
                    checked -> {
                        try (Merge merge = new Merge(checked, deletedCutoffNanos)) {
                            return merge.run();
                        }
                    });
        } catch (org.lmdbjava.Env.MapFullException e) {
            throw MergeException.lmdbFull(lmdb, source.name(), e);
        }
    }

    /**
     * The state of one merge: it compares in a read transaction and hands the entries that win
     * to a {@link MergeWriter}, started at the first one. A large checked snapshot is compared
     * in two halves side by side ({@link SplitPoint}): this thread takes everything but the
     * upper half of the split DBI, an {@link UpperHalf} thread that.
     */
    private final class Merge implements AutoCloseable {
        /** Entries between two looks at whether the writer committed. */
        private static final int RENEW_EVERY = 4096;

        private final SnapshotSource source;
        private final long deletedCutoffNanos;
        private final SnapshotCheck rules;
        // The entry's key as the reader holds it, and copied for LMDB calls once one needs it; the
        // copy of the entry before it, for the key order check: two buffers that swap roles.
        private ByteBuffer entryKey;
        private boolean keyCopied;
        private ByteBuffer key = ByteBuffer.allocateDirect(lmdb.env().getMaxKeySize());
        private ByteBuffer previousKey = ByteBuffer.allocateDirect(lmdb.env().getMaxKeySize());
        private final Supplier<ByteBuffer> lmdbKey = this::key;
        private boolean hasPreviousKey;
        private boolean keyOrderChecked;
        private Map<String, Long> flagsOnWire;
        private Txn<ByteBuffer> txn;
        /** The local DBIs when the merge began, their handles open before the writer's transactions begin. */
        private final Map<String, Dbi<ByteBuffer>> localDbis;
        private String dbiName;
        private Dbi<ByteBuffer> dbi;
        /** The local DBI's flags, or those it is created with: they give the key order. */
        private int dbiFlags;
        private boolean dbiHandedOver;
        private boolean skipDbi;
        private JoinCursor cursor;
        private MergeWriter writer;
        private MergeWriter.Handover handover;
        private int writerCommits;
        private int sinceRenew;
        private long read;
        // Where the split DBI is cut: this thread reads up to there, the upper half from there.
        private SplitPoint split;
        private boolean inSplitDbi;
        private UpperHalf upperHalf;

        Merge(SnapshotSource source, long deletedCutoffNanos) {
            this.source = source;
            this.deletedCutoffNanos = deletedCutoffNanos;
            this.rules = new SnapshotCheck(lmdb.name(), source.name(), key.capacity());
            this.localDbis = new HashMap<>();
        }

        /** The upper half's state: the same snapshot, local DBIs and writer as {@code lower}'s. */
        Merge(Merge lower) {
            this.source = lower.source;
            this.deletedCutoffNanos = lower.deletedCutoffNanos;
            this.rules = lower.rules;
            this.localDbis = lower.localDbis;
            this.writer = lower.writer;
            this.split = lower.split;
        }

        MergeResult run() throws IOException {
            txn = lmdb.env().txnRead();
            Optional<Set<String>> snapshotDbis = source.checkedDbiFlags().map(Map::keySet);
            for (String name : lmdb.dbiNames(txn)) {
                if (!LmdbEnvironment.isPrivate(name) && snapshotDbis.map(names -> names.contains(name)).orElse(true)) {
                    localDbis.put(name, lmdb.dbi(txn, name));
                }
            }
            renewTxn(); // the commit makes the handles usable in the writer's transactions
            split = source.splitPoint().filter(this::canSplit).orElse(null);
            if (split != null) {
                writer = new MergeWriter(lmdb, lockNanos, source, headerExtraPadding, deletedCutoffNanos);
                upperHalf = new UpperHalf(new Merge(this));
            }
            try (SnapshotReader reader = source.reader()) {
                for (Event e; (e = reader.next()) != Event.END; ) {
                    switch (e) {
                        case META -> rules.database(reader);
                        case DBI_START -> startDbi(reader);
                        case ENTRY -> mergeEntry(reader);
                        case DBI_END -> endDbi(reader);
                        default -> throw new IllegalStateException(e.toString());
                    }
                }
                endTxn();
                if (upperHalf != null) {
                    read += upperHalf.await();
                }
                if (writer == null) {
                    return new MergeResult(reader.meta(), read, 0, List.of());
                }
                MergeWriter.Result written = writer.finish();
                return new MergeResult(reader.meta(), read, written.entriesWritten(), written.committedTxnIds());
            }
        }

        /**
         * Whether the merge can be cut at {@code split}: its DBI is here, sorted as the check saw
         * it, so the upper half needs no key order check of its own.
         */
        private boolean canSplit(SplitPoint split) {
            Dbi<ByteBuffer> local = localDbis.get(split.dbiName());
            Long checkedFlags = source.checkedDbiFlags().map(flags -> flags.get(split.dbiName())).orElse(null);
            return local != null && checkedFlags != null && sameKeyOrder(checkedFlags.intValue(), LmdbEnvironment.flags(txn, local));
        }

        private void startDbi(SnapshotReader reader) throws IOException {
            closeCursor();
            dbiName = reader.dbiName();
            hasPreviousKey = false;
            dbiHandedOver = false;
            inSplitDbi = split != null && split.dbiName().equals(dbiName);
            skipDbi = LmdbEnvironment.isPrivate(dbiName);
            if (skipDbi) {
                log.warn("lmdb {}: snapshot {} holds the private DBI {}; skipped", lmdb.name(), source.name(), dbiName);
                return;
            }
            rules.transform(reader);
            dbi = localDbis.get(dbiName);
            if (dbi != null) {
                dbiFlags = LmdbEnvironment.flags(txn, dbi);
            } else {
                DbiOptions options = dbiOptions.getOrDefault(dbiName, DbiOptions.none());
                long flags = options.overrideCreateFlags().isPresent() ? options.overrideCreateFlags().getAsInt()
                        : flagsOnWire(dbiName);
                rules.notDupsort(dbiName, flags);
                dbiFlags = (int) flags;
                handover().dbi(dbiName, dbiFlags, true);
                dbiHandedOver = true;
            }
            // The whole-snapshot check proved the order of the snapshot's flags: the same order here needs no second look.
            Long checkedFlags = source.checkedDbiFlags().map(flags -> flags.get(dbiName)).orElse(null);
            keyOrderChecked = checkedFlags != null && sameKeyOrder(checkedFlags.intValue(), dbiFlags);
        }

        private void endDbi(SnapshotReader reader) {
            if (skipDbi) {
                return;
            }
            rules.nativeDbiEnd(reader);
            // The check's final flags: the lower half of a split DBI skipped its end.
            long snapshotFlags = source.checkedDbiFlags().map(flags -> flags.get(dbiName)).orElse(reader.dbiFlags());
            if (dbiFlags != snapshotFlags) {
                log.warn("lmdb {}: DBI {} has flags {} here and {} in snapshot {}; merged with the local flags",
                        lmdb.name(), dbiName, DbiFlags.toString(dbiFlags), DbiFlags.toString(snapshotFlags), source.name());
            }
        }

        private void mergeEntry(SnapshotReader reader) throws IOException {
            if (inSplitDbi && reader.entryIndex() >= split.at().entryIndex()) {
                reader.skipRestOfDbi(); // the upper half's
                return;
            }
            read++;
            if (skipDbi) {
                return;
            }
            entryKey = reader.key();
            keyCopied = false;
            if (!keyOrderChecked) { // the whole-snapshot check did both
                rules.key(reader);
                ByteBuffer last = key;
                key = previousKey;
                previousKey = last;
                checkKeyOrder(reader.entryIndex());
            }
            compare(reader);
        }

        /** Compares the entry with the local value and hands it over when it wins. */
        private void compare(SnapshotReader reader) throws IOException {
            if (writer != null && ++sinceRenew == RENEW_EVERY) {
                sinceRenew = 0;
                renewTxnAfterWriterCommits();
            }
            ByteBuffer value = reader.value();
            long ts = reader.timestampNano();
            boolean deleted = LastWriterWins.deleted(reader);
            if (!LastWriterWins.incomingWins(local(), ts, value, deleted, deletedCutoffNanos, dbiName, entryKey)) {
                return;
            }
            if (!dbiHandedOver) {
                handover().dbi(dbiName, dbiFlags, false);
                dbiHandedOver = true;
            }
            handover.entry(entryKey, ts, deleted, value);
        }

        /** The upper half of the split DBI: from the split point to the DBI's end. */
        private void compareUpperHalf(UpperHalf control) throws IOException {
            txn = lmdb.env().txnRead();
            dbiName = split.dbiName();
            dbi = localDbis.get(dbiName);
            dbiFlags = LmdbEnvironment.flags(txn, dbi);
            try (SnapshotReader reader = SnapshotReader.resume(source.open(), split.at())) {
                while (reader.next() == Event.ENTRY && !control.stopped) {
                    read++;
                    entryKey = reader.key();
                    keyCopied = false;
                    compare(reader);
                }
            }
            endTxn();
        }

        /**
         * LMDB key order is the snapshot's contract: an entry out of order or a duplicate key means a
         * broken writer, whose snapshot cannot be trusted to be whole; refuse it.
         */
        private void checkKeyOrder(long entryIndex) {
            ByteBuffer key = key();
            if (hasPreviousKey && compareKeys(previousKey, key, dbiFlags) >= 0) {
                throw rules.refused("DBI " + dbiName + " entry #" + entryIndex + ": key " + hex(key)
                        + (compareKeys(previousKey, key, dbiFlags) == 0 ? " comes twice" : " comes after the bigger key " + hex(previousKey))
                        + "; entries must be in LMDB key order without duplicates");
            }
            hasPreviousKey = true;
        }

        /** The local value of the entry's key in the read transaction, or null. */
        private ByteBuffer local() {
            if (dbi == null) {
                return null;
            }
            if (cursor == null) {
                cursor = new JoinCursor(dbi, txn);
            }
            return cursor.find(entryKey, lmdbKey);
        }

        /** The entry's key in the direct buffer LMDB calls take, copied on first use. */
        private ByteBuffer key() {
            if (!keyCopied) {
                key.clear();
                key.put(0, entryKey, entryKey.position(), entryKey.remaining()).limit(entryKey.remaining());
                keyCopied = true;
            }
            return key;
        }

        /** This thread's way to the writer, which starts at the first entry handed over. */
        private MergeWriter.Handover handover() {
            if (writer == null) {
                writer = new MergeWriter(lmdb, lockNanos, source, headerExtraPadding, deletedCutoffNanos);
            }
            if (handover == null) {
                handover = writer.handover();
            }
            return handover;
        }

        /**
         * Once the writer committed, a newer read transaction: an old one would keep LMDB from
         * reusing the pages the writer freed, and the file would grow through a large merge.
         */
        private void renewTxnAfterWriterCommits() {
            int commits = writer.commits();
            if (commits != writerCommits) {
                writerCommits = commits;
                renewTxn();
            }
        }

        private void renewTxn() {
            endTxn();
            txn = lmdb.env().txnRead();
        }

        private void endTxn() {
            closeCursor();
            lmdb.commit(txn); // read-only: keeps the DBI handles opened in it
            txn = null;
        }

        private void closeCursor() {
            if (cursor != null) {
                cursor.close();
                cursor = null;
            }
        }

        private long flagsOnWire(String name) throws IOException {
            if (flagsOnWire == null) {
                flagsOnWire = source.dbiFlags();
            }
            return flagsOnWire.getOrDefault(name, 0L);
        }

        private void abortTxn() {
            closeCursor();
            if (txn != null) {
                lmdb.abort(txn);
                txn = null;
            }
        }

        /** Rolls back what is open: the read transaction, the upper half's thread, then the writer's transaction. */
        @Override
        public void close() {
            abortTxn();
            if (upperHalf != null) {
                upperHalf.stop();
            }
            if (writer != null) {
                writer.close();
            }
        }
    }

    /** The thread that compares the upper half of a split DBI ({@link Merge#compareUpperHalf}). */
    private final class UpperHalf {
        private final Merge merge;
        private final MergeThread thread;
        private volatile boolean stopped;

        UpperHalf(Merge merge) {
            this.merge = merge;
            this.thread = new MergeThread("merge-upper-half-" + lmdb.name(), () -> {
                try {
                    merge.compareUpperHalf(this);
                } finally {
                    merge.abortTxn(); // when it failed
                }
            }, () -> { });
        }

        /** Waits for the upper half to be compared and handed over, and returns its entries; its error is the merge's. */
        long await() throws IOException {
            thread.await();
            return merge.read;
        }

        /**
         * Stops the upper half after an error of the lower one, and waits for its read transaction
         * to end. Not by interrupting: that would close the spool's file channel under both halves.
         */
        void stop() {
            stopped = true;
            thread.stop(false);
        }
    }

    private static boolean sameKeyOrder(int flags, int otherFlags) {
        int order = DbiFlags.INTEGERKEY | DbiFlags.REVERSEKEY;
        return (flags & order) == (otherFlags & order);
    }

    /** LMDB's order of two keys of a DBI with these flags: bytes, reversed bytes, or native unsigned integers. */
    static int compareKeys(ByteBuffer a, ByteBuffer b, int dbiFlags) {
        if (DbiFlags.has(dbiFlags, DbiFlags.INTEGERKEY) && a.remaining() == b.remaining()
                && (a.remaining() == 4 || a.remaining() == 8)) {
            ByteBuffer x = a.duplicate().order(java.nio.ByteOrder.nativeOrder());
            ByteBuffer y = b.duplicate().order(java.nio.ByteOrder.nativeOrder());
            return a.remaining() == 4
                    ? Integer.compareUnsigned(x.getInt(x.position()), y.getInt(y.position()))
                    : Long.compareUnsigned(x.getLong(x.position()), y.getLong(y.position()));
        }
        if (DbiFlags.has(dbiFlags, DbiFlags.REVERSEKEY)) {
            for (int i = 1; i <= Math.min(a.remaining(), b.remaining()); i++) {
                int c = Integer.compare(a.get(a.limit() - i) & 0xff, b.get(b.limit() - i) & 0xff);
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.remaining(), b.remaining());
        }
        return LastWriterWins.compareUnsigned(a, b);
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[Math.min(b.remaining(), 64)];
        b.duplicate().get(bytes);
        return java.util.HexFormat.of().formatHex(bytes) + (b.remaining() > 64 ? "..." : "");
    }
}
