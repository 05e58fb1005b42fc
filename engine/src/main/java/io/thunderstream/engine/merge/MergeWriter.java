package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * Writes the entries a native merge found newer than the local ones, on a thread of its own, in
 * write transactions of at most {@code merge_lock_duration} ({@link MergeTransactions}). The
 * merge goes on comparing the rest of the snapshot in its read transaction meanwhile, so writing
 * a few changes adds little to the time a steady-state merge takes, and comparing never holds the
 * write lock.
 *
 * <p>Entries come in chunks through a bounded queue: memory stays bounded however much changed,
 * the merge waiting while the writer catches up. Each key is looked at again in the write
 * transaction, for an application may have written it since the merge's read transaction did.
 * Write transactions are LMDB's single writer's: they begin and end on this writer's thread.
 */
final class MergeWriter implements AutoCloseable {

    private static final int CHUNK_SIZE = 64 * 1024;
    /** Chunks filled and not yet written: with the one being filled and the one being written, 1 MiB at most. */
    private static final int QUEUED_CHUNKS = 14;
    private static final byte DBI = 1;
    private static final byte ENTRY = 2;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    /** What the writer did. */
    record Result(long entriesWritten, List<Long> committedTxnIds) {
    }

    private final LmdbEnvironment lmdb;
    private final long lockNanos;
    private final SnapshotSource source;
    private final int headerSize;
    private final long deletedCutoffNanos;
    private final BlockingQueue<ByteBuffer> filled = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    private final BlockingQueue<ByteBuffer> spare = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 2);
    private final MergeThread thread;
    private final List<Handover> handovers = new ArrayList<>();
    private volatile boolean aborted;
    private volatile int commits;

    // The writer thread's state.
    private MergeTransactions txns;
    private String dbiName;
    private int dbiFlags;
    private Dbi<ByteBuffer> dbi;
    private JoinCursor cursor;
    private ByteBuffer key;
    private final Supplier<ByteBuffer> lmdbKey = () -> key;
    private long written;
    private List<Long> committed = List.of();

    /**
     * Starts the writer's thread.
     *
     * @param lockNanos how long one write transaction may hold the lock; 0: one transaction
     * @param source    the snapshot being merged: unless checked whole, its entries are committed only at its end
     */
    MergeWriter(LmdbEnvironment lmdb, long lockNanos, SnapshotSource source, boolean headerExtraPadding,
            long deletedCutoffNanos) {
        this.lmdb = lmdb;
        this.lockNanos = lockNanos;
        this.source = source;
        this.headerSize = ValueHeader.SIZE + (headerExtraPadding ? ValueHeader.EXTENSION_BLOCK_SIZE : 0);
        this.deletedCutoffNanos = deletedCutoffNanos;
        // After a failure the merge may wait for room in the queue; it finds the failure at its next chunk.
        this.thread = new MergeThread("merge-writer-" + lmdb.name(), this::run, filled::clear);
    }

    /** How many write transactions the writer committed so far (the merge renews its read transaction after them). */
    int commits() {
        return commits;
    }

    /** A new way in for one thread of the merge; the entries of each come in order. */
    synchronized Handover handover() {
        Handover handover = new Handover();
        handovers.add(handover);
        return handover;
    }

    /**
     * Waits until everything handed over is written and committed: the snapshot was read to its
     * end without error, and the threads that handed entries over are done.
     */
    Result finish() throws IOException {
        synchronized (this) {
            for (Handover handover : handovers) {
                handover.flush();
            }
        }
        send(END);
        thread.await();
        return new Result(written, committed);
    }

    /** Stops the writer, rolling back what it has not committed (after an error, or after {@link #finish}: nothing). */
    @Override
    public void close() {
        aborted = true;
        thread.stop(true);
    }

    /**
     * One merge thread's way in: it fills chunks and queues them. Each chunk starts with its DBI,
     * so chunks of several handovers can come in any order.
     */
    final class Handover {
        private ByteBuffer chunk = newChunk(CHUNK_SIZE);
        private byte[] dbiName;
        private int dbiFlags;

        /**
         * The entries that follow are the DBI's; with {@code create} it does not exist yet and is
         * created (empty, when no entry follows) with {@code flags}, else {@code flags} are the local ones.
         */
        void dbi(String name, int flags, boolean create) throws IOException {
            dbiName = name.getBytes(StandardCharsets.UTF_8);
            dbiFlags = flags;
            putDbi(room(dbiRecordSize()), create);
        }

        /** An entry to write unless the key holds a newer value by the time the writer gets to it. */
        void entry(ByteBuffer key, long ts, boolean deleted, ByteBuffer value) throws IOException {
            int valueSize = deleted ? 0 : value.remaining();
            ByteBuffer out = room(1 + 2 + key.remaining() + 8 + 1 + 4 + valueSize);
            out.put(ENTRY).putShort((short) key.remaining()).put(key.duplicate()).putLong(ts)
                    .put((byte) (deleted ? 1 : 0)).putInt(valueSize);
            if (!deleted) {
                out.put(value.duplicate());
            }
        }

        private int dbiRecordSize() {
            return 1 + 4 + dbiName.length + 4 + 1;
        }

        private void putDbi(ByteBuffer out, boolean create) {
            out.put(DBI).putInt(dbiName.length).put(dbiName).putInt(dbiFlags).put((byte) (create ? 1 : 0));
        }

        /** The current chunk with room for {@code size} bytes; a full one is queued and the next starts with the DBI. */
        private ByteBuffer room(int size) throws IOException {
            if (chunk.remaining() < size) {
                flush();
                int needed = size + dbiRecordSize();
                ByteBuffer next = needed <= CHUNK_SIZE ? spare.poll() : null;
                chunk = next != null ? next.clear() : newChunk(Math.max(needed, CHUNK_SIZE));
                putDbi(chunk, false);
            }
            return chunk;
        }

        private void flush() throws IOException {
            if (chunk != null && chunk.position() > 0) {
                send(chunk.flip());
            }
            chunk = null;
        }
    }

    private void send(ByteBuffer filledChunk) throws IOException {
        thread.throwIfFailed();
        try {
            filled.put(filledChunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("lmdb " + lmdb.name() + ": merge interrupted");
        }
    }

    private static ByteBuffer newChunk(int size) {
        // Direct: keys are passed to LMDB from where they lie.
        return ByteBuffer.allocateDirect(size).order(ByteOrder.BIG_ENDIAN);
    }

    // ---- the writer's thread ----

    private void run() throws Exception {
        try (MergeTransactions transactions = new MergeTransactions(lmdb, lockNanos, source, (id, changed) -> commits++)) {
            txns = transactions;
            txns.beforeEachTxnEnds(this::closeCursor);
            while (true) {
                ByteBuffer next = filled.poll();
                if (next == null) {
                    // Nothing to write until the merge finds more: the lock goes back to the
                    // application, and the commit's sync does not wait for the merge's end.
                    txns.endSliceWhileIdle();
                    long wait = txns.nanosLeftInSlice();
                    next = wait == Long.MAX_VALUE ? filled.take() : filled.poll(wait, TimeUnit.NANOSECONDS);
                }
                if (aborted) {
                    return;
                }
                if (next == null) {
                    txns.endSliceIfDue(); // the lock was held long enough while the merge compared
                } else if (next == END) {
                    txns.finish();
                    committed = txns.committedTxnIds();
                    return;
                } else {
                    write(next);
                    if (next.capacity() == CHUNK_SIZE) {
                        spare.offer(next);
                    }
                }
            }
        } catch (InterruptedException e) {
            // close(): the merge failed; the transaction is rolled back
        }
    }

    private void write(ByteBuffer in) {
        while (in.hasRemaining()) {
            if (in.get() == DBI) {
                byte[] name = new byte[in.getInt()];
                in.get(name);
                closeCursor();
                dbiName = new String(name, StandardCharsets.UTF_8);
                dbiFlags = in.getInt();
                dbi = null;
                if (in.get() == 1) {
                    dbi(); // created now, also when no entry follows
                }
                continue;
            }
            int keyEnd = Short.toUnsignedInt(in.getShort()) + in.position();
            key = in.duplicate().limit(keyEnd);
            in.position(keyEnd);
            long ts = in.getLong();
            boolean deleted = in.get() == 1;
            int valueEnd = in.getInt() + in.position();
            ByteBuffer value = in.duplicate().limit(valueEnd);
            in.position(valueEnd);
            if (aborted) {
                return;
            }
            write(ts, deleted, value);
        }
    }

    private void write(long ts, boolean deleted, ByteBuffer value) {
        txns.nextEntry();
        Txn<ByteBuffer> txn = txn();
        if (cursor == null) {
            cursor = new JoinCursor(dbi(), txn);
        }
        ByteBuffer local = cursor.find(key, lmdbKey);
        if (!LastWriterWins.incomingWins(local, ts, value, deleted, deletedCutoffNanos, dbiName, key)) {
            return;
        }
        ByteBuffer out = cursor.reserve(key, headerSize + value.remaining());
        ValueHeader.write(out, ts, txn.getId(), deleted ? ValueHeader.FLAG_DELETED : 0);
        if (headerSize > ValueHeader.SIZE) { // one empty extension block (header_extra_padding_block)
            out.put(out.position() - 1, (byte) 1);
            out.putLong(0L);
        }
        out.put(value);
        written++;
        txns.changed();
    }

    /** The write transaction, begun when the writer was not in one. */
    private Txn<ByteBuffer> txn() {
        txns.beginWriting();
        return txns.txn();
    }

    /** The current DBI, created when absent. */
    private Dbi<ByteBuffer> dbi() {
        if (dbi == null) {
            Txn<ByteBuffer> txn = txn();
            dbi = lmdb.dbi(txn, dbiName);
            if (dbi == null) {
                dbi = lmdb.createDbi(txn, dbiName, dbiFlags);
                txns.changed();
            }
        }
        return dbi;
    }

    private void closeCursor() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }
}
