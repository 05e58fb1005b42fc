package io.thunderstream.engine.shadow;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.LastWriterWins;
import java.nio.ByteBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.PutFlags;
import org.lmdbjava.SeekOp;
import org.lmdbjava.Txn;

/**
 * The two copies between an application DBI and its shadow, inside the caller's write
 * transaction. Keys are found with LMDB lookups rather than by walking both DBIs side by side,
 * so the DBIs' key orders (INTEGERKEY, REVERSEKEY, the dupsort_hack encoding) never have to agree.
 */
final class ShadowCopy {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ShadowCopy.class);

    /** What {@link #mainToShadow} did to one DBI. */
    record Result(long written, long kept) {
        /** Whether the shadow kept values that differ from the application DBI (a newer timestamp won). */
        boolean disagrees() {
            return kept > 0;
        }
    }

    private final LmdbEnvironment lmdb;
    private final ByteBuffer keyBuffer;
    private final ByteBuffer valueBuffer;
    private final ByteBuffer tombstone = ByteBuffer.allocateDirect(ValueHeader.SIZE);
    private final ByteBuffer mainKeyBuffer;
    private final ByteBuffer oldValueBuffer;

    ShadowCopy(LmdbEnvironment lmdb) {
        this.lmdb = lmdb;
        int maxKey = lmdb.env().getMaxKeySize();
        this.keyBuffer = ByteBuffer.allocateDirect(maxKey);
        // a DUPSORT value is stored as a key, so it is no longer than a key
        this.valueBuffer = ByteBuffer.allocateDirect(maxKey);
        this.mainKeyBuffer = ByteBuffer.allocateDirect(maxKey);
        this.oldValueBuffer = ByteBuffer.allocateDirect(maxKey);
    }

    /**
     * Applies one change of a shadow entry to the application DBI, so that it keeps holding
     * the shadow's live entries: called by a merge just before it writes the shadow entry.
     *
     * @param stored     the shadow's current header + value (null: absent), read just before;
     *                   used first, as LMDB's next read or write may reuse its buffer
     * @param shadowKey  the shadow key (a dupsort_hack_v1 key for DUPSORT DBIs)
     * @param deleted    whether the new shadow entry is a tombstone
     * @param value      the new application value (ignored when deleted)
     */
    void applyToMain(Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> main, int mainFlags, ByteBuffer stored,
            ByteBuffer shadowKey, boolean deleted, ByteBuffer value) {
        String where = "lmdb " + lmdb.name() + " DBI " + name;
        boolean oldLive = false;
        boolean oldInMain = false;
        if (stored != null) {
            int headerLength = ValueHeader.length(stored, ShadowMode.shadowName(name), shadowKey);
            oldLive = !ValueHeader.isDeleted(stored);
            int oldSize = stored.remaining() - headerLength;
            oldInMain = oldLive && oldSize <= oldValueBuffer.capacity();
            if (oldInMain) {
                ByteBuffer old = stored.duplicate();
                old.position(old.position() + headerLength);
                oldValueBuffer.clear().put(old).flip();
            }
        }
        if (!DbiFlags.has(mainFlags, DbiFlags.DUPSORT)) {
            if (deleted) {
                if (oldLive) {
                    main.delete(txn, shadowKey);
                }
            } else {
                main.reserve(txn, shadowKey, value.remaining()).put(value.duplicate());
            }
            return;
        }
        int keySize = DupsortHack.keyLength(shadowKey, where);
        ByteBuffer key = mainKeyBuffer.clear().put(shadowKey.duplicate().limit(shadowKey.position() + keySize)).flip();
        if (oldInMain) {
            main.delete(txn, key, oldValueBuffer);
        }
        if (deleted) {
            return;
        }
        if (value.remaining() > valueBuffer.capacity()) {
            log.warn("{}, key {}: value of {} bytes is longer than a DUPSORT DBI holds ({} bytes); kept in the shadow only",
                    where, ValueHeader.describeKey(key), value.remaining(), valueBuffer.capacity());
            return;
        }
        main.put(txn, key, valueBuffer.clear().put(value.duplicate()).flip());
    }

    /**
     * Application DBI -> shadow: new or changed values get {@code ts}, keys gone from the DBI
     * become tombstones with {@code ts}, unchanged values keep their timestamp. A changed value
     * does not replace a shadow value with a newer timestamp (at startup {@code ts} is 1 ns, so
     * what the shadow learned from other instances wins): the shadow then disagrees with the
     * DBI, and {@link #shadowToMain} must follow.
     */
    Result mainToShadow(Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> main, int mainFlags, Dbi<ByteBuffer> shadow,
            long ts) {
        String shadowName = ShadowMode.shadowName(name);
        String where = "lmdb " + lmdb.name() + " DBI " + name;
        boolean encoded = DbiFlags.has(mainFlags, DbiFlags.DUPSORT);
        long written = 0;
        long kept = 0;
        // Pass 1: every entry of the DBI into the shadow.
        ByteBuffer previous = ByteBuffer.allocateDirect(keyBuffer.capacity());
        boolean first = true;
        try (Cursor<ByteBuffer> cursor = main.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer value = cursor.val();
                ByteBuffer key;
                if (encoded) {
                    key = DupsortHack.encode(cursor.key(), value, keyBuffer, where);
                    if (!first) {
                        int order = LastWriterWins.compareUnsigned(previous, key);
                        if (order == 0) {
                            throw new DupsortHackException(where + ", key " + ValueHeader.describeKey(cursor.key())
                                    + ": two values encode to the same dupsort_hack key " + ValueHeader.describeKey(key)
                                    + " (they agree in their first " + (key.remaining() - cursor.key().remaining() - 5)
                                    + " bytes)");
                        }
                        if (order > 0) {
                            throw new DupsortHackException(where + ", key " + ValueHeader.describeKey(cursor.key())
                                    + ": dupsort_hack key " + ValueHeader.describeKey(key)
                                    + " sorts before the previous one (the key holds zero bytes, or the DBI has"
                                    + " INTEGERDUP or REVERSEDUP)");
                        }
                    }
                    previous.clear();
                    previous.put(key.duplicate()).flip();
                    first = false;
                } else {
                    key = copyKey(cursor.key());
                }
                ByteBuffer stored = shadow.get(txn, key);
                if (stored != null) {
                    int headerLength = ValueHeader.length(stored, shadowName, key);
                    ByteBuffer storedValue = stored.duplicate();
                    storedValue.position(storedValue.position() + headerLength);
                    if (!ValueHeader.isDeleted(stored) && storedValue.equals(value)) {
                        continue;
                    }
                    if (!LastWriterWins.incomingWins(stored, ts, value, false, 0, shadowName, key)) {
                        kept++;
                        continue;
                    }
                }
                put(txn, shadow, key, value, ts, 0);
                written++;
            }
        }
        // Pass 2: shadow keys gone from the DBI become tombstones.
        try (Cursor<ByteBuffer> cursor = shadow.openCursor(txn);
                Cursor<ByteBuffer> mainCursor = encoded ? main.openCursor(txn) : null) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer stored = cursor.val();
                ValueHeader.length(stored, shadowName, cursor.key());
                if (ValueHeader.isDeleted(stored) || inMain(txn, main, mainCursor, cursor, shadowName, where)) {
                    continue;
                }
                ByteBuffer key = copyKey(cursor.key());
                ValueHeader.write(tombstone.clear(), ts, txn.getId(), ValueHeader.FLAG_DELETED);
                cursor.put(key, tombstone.flip(), PutFlags.MDB_CURRENT);
                written++;
            }
        }
        return new Result(written, kept);
    }

    /** Whether the shadow entry at {@code shadowCursor} is in the application DBI. */
    private boolean inMain(Txn<ByteBuffer> txn, Dbi<ByteBuffer> main, Cursor<ByteBuffer> mainCursor,
            Cursor<ByteBuffer> shadowCursor, String shadowName, String where) {
        if (mainCursor == null) {
            return main.get(txn, copyKey(shadowCursor.key())) != null;
        }
        ByteBuffer encodedKey = shadowCursor.key();
        int keySize = DupsortHack.keyLength(encodedKey, where);
        ByteBuffer key = copyKey(encodedKey.duplicate().limit(encodedKey.position() + keySize));
        ByteBuffer stored = shadowCursor.val();
        ByteBuffer value = stored.duplicate();
        value.position(value.position() + ValueHeader.length(stored, shadowName, encodedKey));
        if (value.remaining() > valueBuffer.capacity()) {
            return true; // too long for a DUPSORT DBI: never in main, see shadowToMain
        }
        return mainCursor.get(key, valueBuffer.clear().put(value).flip(), SeekOp.MDB_GET_BOTH);
    }

    /**
     * Shadow -> application DBI, right after {@link #mainToShadow} (so the shadow knows every key
     * of the DBI): afterwards the DBI holds exactly the shadow's live entries. A DUPSORT DBI is
     * emptied and refilled from the decoded shadow.
     */
    long shadowToMain(Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> main, int mainFlags, Dbi<ByteBuffer> shadow) {
        String shadowName = ShadowMode.shadowName(name);
        String where = "lmdb " + lmdb.name() + " DBI " + name;
        long written = 0;
        if (DbiFlags.has(mainFlags, DbiFlags.DUPSORT)) {
            main.drop(txn);
            try (Cursor<ByteBuffer> cursor = shadow.openCursor(txn)) {
                for (boolean more = cursor.first(); more; more = cursor.next()) {
                    ByteBuffer encodedKey = cursor.key();
                    ByteBuffer stored = cursor.val();
                    int headerLength = ValueHeader.length(stored, shadowName, encodedKey);
                    int keySize = DupsortHack.keyLength(encodedKey, where);
                    if (ValueHeader.isDeleted(stored)) {
                        continue;
                    }
                    ByteBuffer key = copyKey(encodedKey.duplicate().limit(encodedKey.position() + keySize));
                    ByteBuffer value = stored.duplicate();
                    value.position(value.position() + headerLength);
                    if (value.remaining() > valueBuffer.capacity()) {
                        // Another instance's LMDB may take longer values; this one cannot store it, but
                        // keeps it in the shadow (and so in its snapshots) rather than dropping it.
                        log.warn("{}, key {}: value of {} bytes is longer than a DUPSORT DBI holds ({} bytes);"
                                + " kept in the shadow only", where, ValueHeader.describeKey(key), value.remaining(),
                                valueBuffer.capacity());
                        continue;
                    }
                    main.put(txn, key, value);
                    written++;
                }
            }
            return written;
        }
        try (Cursor<ByteBuffer> cursor = shadow.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer stored = cursor.val();
                int headerLength = ValueHeader.length(stored, shadowName, cursor.key());
                ByteBuffer key = copyKey(cursor.key());
                ByteBuffer current = main.get(txn, key);
                if (ValueHeader.isDeleted(stored)) {
                    if (current != null) {
                        main.delete(txn, key);
                        written++;
                    }
                    continue;
                }
                ByteBuffer value = stored.duplicate();
                value.position(value.position() + headerLength);
                if (current == null || !current.equals(value)) {
                    main.put(txn, key, value);
                    written++;
                }
            }
        }
        return written;
    }

    /** {@code src} (position to limit, not modified) copied into the key buffer. */
    private ByteBuffer copyKey(ByteBuffer src) {
        return keyBuffer.clear().put(src.duplicate()).flip();
    }

    private void put(Txn<ByteBuffer> txn, Dbi<ByteBuffer> shadow, ByteBuffer key, ByteBuffer value, long ts, int flags) {
        ByteBuffer out = shadow.reserve(txn, key, ValueHeader.SIZE + value.remaining());
        ValueHeader.write(out, ts, txn.getId(), flags);
        out.put(value.duplicate());
    }
}
