package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.lmdbjava.Txn;

/**
 * The LMDB transactions that write a merge (the shadow-mode merge, and a native merge's
 * {@link MergeWriter}): read transactions until the first entry that must be written, then a write
 * transaction; with a lock duration ({@code merge_lock_duration}) a slice is committed when the
 * write lock was held that long, less the time its commit will take (the last commit's), and the
 * merge pauses a moment (1/50 of the duration) so that waiting writers get the lock.
 *
 * <p>Committing before the end needs the whole snapshot checked ({@link SnapshotCheck}): when a
 * slice runs out on an unchecked snapshot, {@link #merge} rolls it back, checks the snapshot and
 * merges again, so a snapshot that would be rejected applies nothing.
 */
public final class MergeTransactions implements AutoCloseable {

    /** Entries between two looks at the clock while the write lock is held. */
    private static final int CLOCK_EVERY = 16;
    /** The shortest pause between two slices, in which application writers take the lock. */
    private static final long SLICE_PAUSE_MIN_NANOS = 200_000;

    /** One attempt at a merge, over a source that may have been checked since the last attempt. */
    @FunctionalInterface
    public interface Attempt {
        MergeResult merge(SnapshotSource source) throws IOException;
    }

    /** Told after each write transaction committed. */
    @FunctionalInterface
    public interface Committed {
        /** @param changed whether the transaction wrote anything (else the LMDB's txn id did not move) */
        void committed(long txnId, boolean changed);
    }

    private final LmdbEnvironment lmdb;
    private final boolean checked;
    private final Committed onCommit;
    private Runnable beforeTxnEnds = () -> { };
    private long lockNanos;
    private Txn<ByteBuffer> txn;
    private boolean writing;
    private boolean sliceChanged;
    private long sliceStart;
    private int sinceClock;
    private long lastCommitNanos;
    private final List<Long> committed = new ArrayList<>();

    /**
     * Starts in a read transaction.
     *
     * @param lockNanos how long one write transaction may hold the lock; 0: one transaction
     * @param source    the snapshot being merged: whether it was checked whole
     */
    public MergeTransactions(LmdbEnvironment lmdb, long lockNanos, SnapshotSource source, Committed onCommit) {
        this.lmdb = lmdb;
        this.lockNanos = lockNanos;
        this.checked = source.checkedDbiFlags().isPresent();
        this.onCommit = onCommit;
    }

    /**
     * Runs {@code attempt} on {@code source}; when its first slice ran out on an unchecked
     * snapshot (rolled back by then), checks the snapshot whole with {@code check} and runs it
     * again, from the decompressed copy the check keeps in a temp file.
     */
    public static MergeResult merge(SnapshotSource source, String lmdbName, SnapshotCheck.Checker check, Attempt attempt)
            throws IOException {
        try {
            return attempt.merge(source);
        } catch (NeedsCheck e) {
            try (SnapshotSpool spool = SnapshotSpool.tempFile("thunderstream-" + lmdbName + "-")) {
                return attempt.merge(check.check(source, spool));
            }
        }
    }

    /** {@code action} runs before each transaction ends (cursors opened in it must close first). */
    public void beforeEachTxnEnds(Runnable action) {
        this.beforeTxnEnds = action;
    }

    /** The current transaction: read (begun on first use), or write after {@link #beginWriting}. */
    public Txn<ByteBuffer> txn() {
        if (txn == null) {
            txn = lmdb.env().txnRead();
        }
        return txn;
    }

    /**
     * Moves into a write transaction unless in one already. Returns true when it began one: what
     * the read transaction compared may have changed since, so the caller looks again.
     */
    public boolean beginWriting() {
        if (writing) {
            return false;
        }
        if (txn != null) {
            beforeTxnEnds.run();
            lmdb.commit(txn);
            txn = null;
        }
        txn = lmdb.env().txnWrite();
        sliceStart = System.nanoTime(); // the lock is held from here
        sinceClock = 0;
        writing = true;
        return true;
    }

    /** The current write transaction changed the LMDB. */
    public void changed() {
        sliceChanged = true;
    }

    /** From now on the merge commits once, at the end (it cannot know ahead that the snapshot applies whole). */
    public void oneTransaction() {
        lockNanos = 0;
    }

    /**
     * Called before each entry: when the write lock was held long enough, commits the slice and
     * goes on in a read transaction, lock released. Returns true when it did.
     */
    public boolean nextEntry() {
        if (!writing || lockNanos == 0 || ++sinceClock < CLOCK_EVERY) {
            return false;
        }
        sinceClock = 0;
        return endSliceIfDue();
    }

    /**
     * How long the write lock may still be held before the slice is due ({@link #endSliceIfDue});
     * {@code Long.MAX_VALUE} when not writing or without a lock duration.
     */
    public long nanosLeftInSlice() {
        if (!writing || lockNanos == 0) {
            return Long.MAX_VALUE;
        }
        // The commit holds the lock too: leave it the time the last one took.
        return Math.max(lockNanos / 4, lockNanos - lastCommitNanos) - (System.nanoTime() - sliceStart);
    }

    /** Commits the slice when the write lock was held long enough, and pauses; returns true when it did. */
    public boolean endSliceIfDue() {
        if (nanosLeftInSlice() > 0) {
            return false;
        }
        endSlice();
        // LMDB's write lock is not fair: a writer woken by the commit could lose it to this
        // merge's next slice again and again. A pause lets waiting writers in.
        LockSupport.parkNanos(Math.max(SLICE_PAUSE_MIN_NANOS, lockNanos / 50));
        return true;
    }

    /**
     * Commits the write transaction now, if in one and merging a checked snapshot in slices: its
     * merge has nothing to write for the moment, and the lock is better with the application
     * meanwhile. In one transaction it does nothing.
     */
    public void endSliceWhileIdle() {
        if (lockNanos > 0 && checked) {
            endSlice();
        }
    }

    /** Commits the write transaction now, if in one. Needs the whole snapshot checked. */
    private void endSlice() {
        if (!writing) {
            return;
        }
        if (!checked) {
            throw new NeedsCheck();
        }
        endTxn();
    }

    /** Commits the last transaction: the snapshot was read to its end without error. */
    public void finish() {
        endTxn();
    }

    /** The ids of the write transactions committed with changes, in order. */
    public List<Long> committedTxnIds() {
        return committed;
    }

    private void endTxn() {
        if (txn == null) {
            return;
        }
        long id = txn.getId();
        boolean wrote = writing;
        boolean changed = writing && sliceChanged;
        beforeTxnEnds.run();
        long start = System.nanoTime();
        lmdb.commit(txn);
        txn = null;
        writing = false;
        sliceChanged = false;
        if (wrote) {
            lastCommitNanos = System.nanoTime() - start;
            if (changed) {
                committed.add(id);
            }
            onCommit.committed(id, changed);
        }
    }

    /** Rolls back the transaction still open (after an error). */
    @Override
    public void close() {
        if (txn != null) {
            beforeTxnEnds.run();
            lmdb.abort(txn);
            txn = null;
        }
    }

    /** Thrown when a merge needs a second transaction before its snapshot was checked whole. */
    static final class NeedsCheck extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsCheck() {
            super(null, null, false, false);
        }
    }
}
