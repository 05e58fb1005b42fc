package io.thunderstream.engine.lmdb;

import io.thunderstream.engine.snapshot.DbiSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * Snapshot content read from a DBI whose values carry the native header: each entry's timestamp
 * and flags come from its header, its value is what follows. The native DBI itself in native
 * mode, the shadow DBI in shadow mode.
 *
 * @param name      the DBI's name in the snapshot
 * @param flags     the DBI's flags in the snapshot
 * @param transform the DBI's transform in the snapshot
 * @param txn       the read transaction the snapshot is an image of
 * @param entries   the DBI read
 * @param entriesName its name, for errors about its values
 */
public record HeaderedDbiSource(String name, long flags, String transform, Txn<ByteBuffer> txn,
        Dbi<ByteBuffer> entries, String entriesName) implements DbiSource {

    @Override
    public void forEachEntry(EntrySink sink) throws IOException {
        try (Cursor<ByteBuffer> cursor = entries.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer key = cursor.key();
                ByteBuffer value = cursor.val();
                int headerLength = ValueHeader.length(value, entriesName, key);
                long timestamp = ValueHeader.timestampNano(value);
                int entryFlags = ValueHeader.flags(value) & ValueHeader.SYNC_FLAGS_MASK;
                value.position(value.position() + headerLength);
                sink.entry(key, value, timestamp, entryFlags);
            }
        }
    }
}
