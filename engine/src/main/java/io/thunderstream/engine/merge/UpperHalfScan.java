package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.EntryPosition;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * Looks, on a thread of its own and in a read transaction, for the first entry of a split DBI's
 * upper half ({@link SplitPoint}) that wins against a local DBI: for a merge that writes as it
 * compares (shadow mode), so that the upper half is compared beside the lower one. Entries before
 * the one found need no second look, like any entry a merge compared in an earlier transaction:
 * the local DBI only takes values that win over what it holds (merged ones, and local changes
 * copied in with a newer timestamp), so an entry that did not win does not win later either.
 */
public final class UpperHalfScan implements AutoCloseable {

    private final LmdbEnvironment lmdb;
    private final SnapshotSource source;
    private final SplitPoint split;
    private final Dbi<ByteBuffer> local;
    private final String localName;
    private final long deletedCutoffNanos;
    private final MergeThread thread;
    private volatile boolean stopped;
    private EntryPosition goOnFrom;
    // The scan thread's: the entry's key as the reader holds it, copied for a seek when one needs it.
    private ByteBuffer entryKey;
    private ByteBuffer lmdbKey;
    private final Supplier<ByteBuffer> keyToSeek = () -> lmdbKey.clear().put(entryKey.duplicate()).flip();

    /**
     * Starts the scan.
     *
     * @param local     the DBI the split DBI's entries are weighed against; its handle opened in a transaction that ended
     * @param localName its name, for errors
     */
    public UpperHalfScan(LmdbEnvironment lmdb, SnapshotSource source, SplitPoint split, Dbi<ByteBuffer> local,
            String localName, long deletedCutoffNanos) {
        this.lmdb = lmdb;
        this.source = source;
        this.split = split;
        this.local = local;
        this.localName = localName;
        this.deletedCutoffNanos = deletedCutoffNanos;
        this.thread = new MergeThread("merge-upper-half-" + lmdb.name(), this::scan, () -> { });
    }

    /** Whether the scan has ended. */
    public boolean done() {
        return !thread.running();
    }

    /**
     * Waits for the scan, and returns where the merge goes on in the upper half: the first entry
     * that wins, or else the last one (for the fields after it). The scan's error is the merge's.
     */
    public EntryPosition goOnFrom() throws IOException {
        thread.await();
        return goOnFrom;
    }

    private void scan() throws IOException {
        lmdbKey = ByteBuffer.allocateDirect(lmdb.env().getMaxKeySize());
        Txn<ByteBuffer> txn = lmdb.env().txnRead();
        try (JoinCursor cursor = new JoinCursor(local, txn);
                SnapshotReader reader = SnapshotReader.resume(source.open(), split.at())) {
            while (reader.next() == Event.ENTRY && !stopped) {
                goOnFrom = reader.entryPosition();
                entryKey = reader.key();
                if (LastWriterWins.incomingWins(cursor.find(entryKey, keyToSeek), reader.timestampNano(), reader.value(),
                        LastWriterWins.deleted(reader), deletedCutoffNanos, localName, entryKey)) {
                    return;
                }
            }
        } finally {
            lmdb.abort(txn);
        }
    }

    /** Stops the scan (after an error of the merge) and waits for its read transaction to end. */
    @Override
    public void close() {
        stopped = true;
        thread.stop(false);
    }
}
