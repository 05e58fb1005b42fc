package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * The local side of a merge join: a cursor over one DBI, asked for keys in LMDB order as a
 * snapshot lists them. In the steady state the next local key is the one asked for, found with
 * one step instead of a search from the root; anything else seeks. Keys asked out of order are
 * found too, only slower: no answer relies on the order without comparing.
 */
public final class JoinCursor implements AutoCloseable {

    private final Cursor<ByteBuffer> cursor;
    private final int dbiFlags;
    private Position position = Position.UNKNOWN;
    /** At {@link Position#PAST_END}: the last key asked for; no local key is bigger (one may be it, appended since). */
    private ByteBuffer pastEndKey;

    public JoinCursor(Dbi<ByteBuffer> dbi, Txn<ByteBuffer> txn) {
        this.cursor = dbi.openCursor(txn);
        this.dbiFlags = LmdbEnvironment.flags(txn, dbi);
    }

    /**
     * The local value of {@code key}, or null.
     *
     * @param key     the key as its holder has it, compared by content
     * @param lmdbKey the same key in a direct buffer, asked for only when a seek needs it
     */
    public ByteBuffer find(ByteBuffer key, Supplier<ByteBuffer> lmdbKey) {
        if (position == Position.PAST_END && SnapshotMerger.compareKeys(pastEndKey, key, dbiFlags) < 0) {
            return pastEnd(key);
        }
        if (position == Position.AT && cursor.next() && cursor.key().equals(key)) {
            return cursor.val();
        }
        if (!cursor.get(lmdbKey.get(), GetOp.MDB_SET_RANGE)) {
            return pastEnd(key);
        }
        position = Position.AT;
        return cursor.key().equals(key) ? cursor.val() : null;
    }

    /** No local key is as big as {@code key}: neither is it as big as a bigger key asked next. */
    private ByteBuffer pastEnd(ByteBuffer key) {
        if (pastEndKey == null || pastEndKey.capacity() < key.remaining()) {
            pastEndKey = ByteBuffer.allocateDirect(Math.max(key.remaining(), 64));
        }
        pastEndKey.clear().put(0, key, key.position(), key.remaining()).limit(key.remaining());
        position = Position.PAST_END;
        return null;
    }

    /**
     * Reserves the new value of the key {@link #find} just looked up (in a write transaction).
     * Past the DBI's last key it is appended: no search, pages filled up, as a merge into an
     * empty LMDB does throughout.
     */
    ByteBuffer reserve(ByteBuffer lmdbKey, int size) {
        if (position == Position.PAST_END) {
            return cursor.reserve(lmdbKey, size, PutFlags.MDB_APPEND);
        }
        ByteBuffer out = cursor.reserve(lmdbKey, size);
        position = Position.AT;
        return out;
    }

    @Override
    public void close() {
        cursor.close();
    }

    /** Where the cursor stands relative to the keys asked for. */
    private enum Position {
        /** Not placed yet. */
        UNKNOWN,
        /** On the key last asked for, or on the first local key after it. */
        AT,
        /** No local key is bigger than the key last asked for ({@code pastEndKey}). */
        PAST_END
    }
}
