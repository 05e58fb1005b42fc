package io.thunderstream.engine.sweeper;

import io.thunderstream.engine.config.SweeperConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.Clock;
import io.thunderstream.engine.sync.SyncListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes deleted entries older than {@code retention_days} from one LMDB (compat.md section 7),
 * the "tomb sweeper". Deletes are kept as tombstones so that they sync; once every instance has
 * had time to merge them they can go.
 *
 * <p>The application shares the LMDB write lock, so a sweep works in slices: a write transaction
 * scans from where the last one stopped until {@code lock_duration} has passed, commits, and
 * waits {@code release_duration} before the next slice, giving writers their turn.
 *
 * <p>Native mode sweeps every DBI. Shadow mode (values without a header) must sweep only the
 * syncer's own {@code _sync*} DBIs: {@link #sweepsDbi} is where that rule goes.
 */
public final class Sweeper {

    private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

    /** Entries scanned between two looks at the clock; a few microseconds of work. */
    static final int CHECK_TIME_EVERY = 256;

    private final LmdbEnvironment lmdb;
    private final SweeperConfig config;
    private final SyncListener listener;
    private final Clock clock;
    private final boolean nativeMode;

    public Sweeper(LmdbEnvironment lmdb, SweeperConfig config, boolean nativeMode, SyncListener listener, Clock clock) {
        this.lmdb = lmdb;
        this.config = config;
        this.nativeMode = nativeMode;
        this.listener = listener;
        this.clock = clock;
    }

    public String db() {
        return lmdb.name();
    }

    boolean sweepsDbi(String dbiName) {
        return nativeMode || LmdbEnvironment.isPrivate(dbiName);
    }

    /** One full sweep of the LMDB. */
    public SweepStats sweep() throws InterruptedException {
        long start = System.nanoTime();
        long cutoff = clock.nanosSinceEpoch() - config.retention().toNanos();
        long[] counts = new long[6]; // entries, deleted, cleaned, transactions, longest hold, longest commit (ns)
        List<String> dbiNames;
        Txn<ByteBuffer> read = lmdb.env().txnRead();
        try {
            dbiNames = lmdb.dbiNames(read);
            lmdb.commit(read);
        } finally {
            lmdb.abort(read);
        }
        for (String dbiName : dbiNames) {
            if (!sweepsDbi(dbiName)) {
                continue;
            }
            byte[] resumeAt = null;
            boolean done = false;
            while (!done) {
                if (resumeAt != null) {
                    Thread.sleep(config.releaseDuration().toMillis()); // the application's turn
                }
                Slice slice = sweepSlice(dbiName, resumeAt, cutoff, counts);
                resumeAt = slice.nextKey;
                done = slice.done;
            }
        }
        SweepStats stats = new SweepStats(counts[0], counts[1], counts[2], counts[3],
                Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(counts[4]), Duration.ofNanos(counts[5]));
        log.info("db {}: sweep for stale deleted entries completed: {} entries, {} deleted, {} cleaned, {} transactions, write lock held up to {} ms"
                + " (commit up to {} ms) ({} ms)", lmdb.name(), stats.entries(), stats.deleted(), stats.cleaned(), stats.transactions(),
                stats.longestHold().toMillis(), stats.longestCommit().toMillis(), stats.duration().toMillis());
        listener.sweepDone(lmdb.name(), stats);
        return stats;
    }

    private record Slice(byte[] nextKey, boolean done) {
    }

    /** One write transaction: scans from {@code resumeAt} (null: the start) until done or out of time. */
    private Slice sweepSlice(String dbiName, byte[] resumeAt, long cutoff, long[] counts) {
        Txn<ByteBuffer> txn = lmdb.env().txnWrite();
        long locked = System.nanoTime();
        // The scan stops at half of lock_duration: the commit holds the lock too, and one that frees
        // many pages and syncs them takes a while, more when the disk is busy.
        long deadline = locked + config.lockDuration().toNanos() / 2;
        try {
            counts[3]++;
            Dbi<ByteBuffer> dbi = lmdb.dbi(txn, dbiName);
            if (dbi == null) {
                lmdb.commit(txn);
                return new Slice(null, true); // dropped since listed
            }
            byte[] nextKey = null;
            boolean more;
            try (Cursor<ByteBuffer> cursor = dbi.openCursor(txn)) {
                if (resumeAt == null) {
                    more = cursor.first();
                } else {
                    ByteBuffer key = ByteBuffer.allocateDirect(resumeAt.length).put(resumeAt).flip();
                    more = cursor.get(key, GetOp.MDB_SET_RANGE);
                }
                int scanned = 0;
                while (more) {
                    if (++scanned % CHECK_TIME_EVERY == 0 && System.nanoTime() >= deadline) {
                        ByteBuffer key = cursor.key();
                        nextKey = new byte[key.remaining()]; // not looked at yet: the next slice starts here
                        key.get(nextKey);
                        break;
                    }
                    ByteBuffer value = cursor.val();
                    ValueHeader.length(value, dbiName, cursor.key()); // refuses a value without a header
                    if (!ValueHeader.isDeleted(value)) {
                        counts[0]++;
                    } else if (ValueHeader.timestampNano(value) >= cutoff) {
                        counts[0]++;
                        counts[1]++;
                    } else {
                        counts[2]++;
                        cursor.delete(); // LMDB's next step after a delete lands on the entry that followed it
                    }
                    more = cursor.next();
                }
            }
            long commitStart = System.nanoTime();
            lmdb.commit(txn);
            long end = System.nanoTime();
            counts[4] = Math.max(counts[4], end - locked);
            counts[5] = Math.max(counts[5], end - commitStart);
            return new Slice(nextKey, nextKey == null);
        } finally {
            lmdb.abort(txn);
        }
    }
}
