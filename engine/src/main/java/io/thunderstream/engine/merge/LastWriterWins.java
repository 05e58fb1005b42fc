package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.snapshot.SnapshotReader;
import java.nio.ByteBuffer;

/**
 * The merge rule of compat.md section 3 for one key: an incoming entry replaces the stored one
 * when it is newer, or as old with a bigger application value (unsigned byte order), so the
 * outcome does not depend on the order in which entries arrive.
 */
public final class LastWriterWins {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private LastWriterWins() {
    }

    /**
     * Whether an entry with timestamp {@code ts} and application value {@code value} (ignored
     * when {@code deleted}) replaces {@code stored}, a header + value read from LMDB (position to
     * limit, not modified), or null when the key is absent.
     *
     * @param deletedCutoffNanos tombstones older than this are not added for absent keys; 0: none
     */
    public static boolean incomingWins(ByteBuffer stored, long ts, ByteBuffer value, boolean deleted,
            long deletedCutoffNanos, String dbi, ByteBuffer key) {
        if (stored == null) {
            return !(deleted && deletedCutoffNanos != 0 && ts < deletedCutoffNanos);
        }
        int headerLength = ValueHeader.length(stored, dbi, key);
        long storedTs = ValueHeader.timestampNano(stored);
        if (storedTs != ts) {
            return Long.compareUnsigned(ts, storedTs) > 0;
        }
        ByteBuffer storedValue = stored.duplicate();
        storedValue.position(storedValue.position() + headerLength);
        return compareUnsigned(deleted ? EMPTY : value, storedValue) > 0;
    }

    /** Whether the reader's current entry is a deletion: flagged so, or an empty value in formatVersion 1. */
    public static boolean deleted(SnapshotReader reader) {
        return (reader.entryFlags() & ValueHeader.FLAG_DELETED) != 0
                || (reader.formatVersion() == 1 && reader.value().remaining() == 0);
    }

    /** Unsigned lexicographic order of the bytes from position to limit. */
    public static int compareUnsigned(ByteBuffer a, ByteBuffer b) {
        int i = a.mismatch(b);
        if (i < 0) {
            return 0;
        }
        if (i >= a.remaining() || i >= b.remaining()) {
            return a.remaining() - b.remaining();
        }
        return Integer.compare(a.get(a.position() + i) & 0xff, b.get(b.position() + i) & 0xff);
    }
}
