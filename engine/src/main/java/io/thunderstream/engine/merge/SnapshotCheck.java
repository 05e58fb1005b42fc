package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import io.thunderstream.engine.snapshot.Gzip;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The rules a snapshot must pass before anything of it is merged into an LMDB, and a pass that
 * applies them to a whole snapshot without touching LMDB: the gzip CRCs, the protobuf structure,
 * the versions, the database name, no transform, no DUPSORT DBI, keys LMDB can store, in LMDB
 * key order without duplicates.
 *
 * <p>A merge that fits in one write transaction applies the rules as it goes and commits only
 * at the end. A merge in several transactions ({@code merge_lock_duration}) commits early, so it
 * needs the whole snapshot checked first: by the {@link io.thunderstream.engine.sync} receiver
 * right after the download, or by the merger itself when its first slice runs out.
 */
public final class SnapshotCheck {

    private final String lmdbName;
    private final String snapshotName;
    private final int maxKeySize;

    // Key order of the current DBI under each of LMDB's orders, as the flags (which the wire may
    // carry after the entries) are known only at its end: the first entry out of each order.
    private ByteBuffer previousKey;
    private long outOfByteOrder;
    private long outOfIntegerOrder;
    private long outOfReverseOrder;

    SnapshotCheck(String lmdbName, String snapshotName, int maxKeySize) {
        this.lmdbName = lmdbName;
        this.snapshotName = snapshotName;
        this.maxKeySize = maxKeySize;
    }

    /**
     * Reads the whole snapshot and applies every rule.
     *
     * @param maxKeySize the LMDB's largest key ({@code Env.getMaxKeySize()})
     * @return the source, marked checked, with the final flags of its DBIs
     * @throws io.thunderstream.engine.snapshot.SnapshotFormatException when it is corrupt or incompatible
     * @throws MergeException when this LMDB refuses what it holds
     */
    public static SnapshotSource check(SnapshotSource source, String lmdbName, int maxKeySize) throws IOException {
        return check(source, lmdbName, maxKeySize, null);
    }

    /**
     * Reads the whole snapshot, applies every rule, and keeps its decompressed protobuf in
     * {@code spool}, from which the returned source reads, so the merge does not inflate it again.
     * The caller closes the spool once the merge is done (also when the check fails).
     */
    public static SnapshotSource check(SnapshotSource source, String lmdbName, int maxKeySize, SnapshotSpool spool)
            throws IOException {
        if (source.checkedDbiFlags().isPresent()) {
            return source;
        }
        SnapshotCheck rules = new SnapshotCheck(lmdbName, source.name(), maxKeySize);
        Map<String, Long> flags = new HashMap<>();
        try (SnapshotReader reader = spool == null || source.decompressed() ? source.reader()
                : new SnapshotReader(new SpoolingInputStream(Gzip.decompress(source.open()), spool))) {
            boolean skipDbi = false;
            for (Event e; (e = reader.next()) != Event.END; ) {
                switch (e) {
                    case META -> rules.database(reader);
                    case DBI_START -> {
                        skipDbi = LmdbEnvironment.isPrivate(reader.dbiName());
                        if (!skipDbi) {
                            rules.transform(reader);
                            rules.startKeyOrder();
                        }
                    }
                    case ENTRY -> {
                        if (!skipDbi) {
                            rules.key(reader);
                            rules.keyOrder(reader);
                        }
                    }
                    case DBI_END -> {
                        if (!skipDbi) {
                            rules.dbiEnd(reader);
                            rules.endKeyOrder(reader);
                        }
                        flags.put(reader.dbiName(), reader.dbiFlags());
                    }
                    default -> throw new IllegalStateException(e.toString());
                }
            }
        }
        if (spool != null && !source.decompressed()) {
            spool.finish();
            return SnapshotSource.checked(source, spool, flags);
        }
        return SnapshotSource.checked(source, null, flags);
    }

    /** Copies what is read into a spool. */
    private static final class SpoolingInputStream extends FilterInputStream {
        private final SnapshotSpool spool;

        SpoolingInputStream(InputStream in, SnapshotSpool spool) {
            super(in);
            this.spool = spool;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                spool.write(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] skipped = new byte[(int) Math.min(n, 8192)];
            int read = read(skipped, 0, skipped.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    void database(SnapshotReader reader) {
        String db = reader.meta().databaseName();
        if (!db.isEmpty() && !db.equals(lmdbName)) {
            throw refused("it holds database \"" + db + "\"");
        }
    }

    void transform(SnapshotReader reader) {
        if (!reader.dbiTransform().isEmpty()) {
            throw refused("DBI " + reader.dbiName() + " has transform \"" + reader.dbiTransform() + "\"; native mode takes none");
        }
    }

    /** The DBI's final flags and transform, which the wire may carry after its entries. */
    void dbiEnd(SnapshotReader reader) {
        transform(reader);
        notDupsort(reader.dbiName(), reader.dbiFlags());
    }

    void notDupsort(String dbi, long flags) {
        if (DbiFlags.has(flags, DbiFlags.DUPSORT)) {
            throw refused("DBI " + dbi + " is DUPSORT, which native mode cannot sync");
        }
    }

    void key(SnapshotReader reader) {
        ByteBuffer key = reader.key();
        if (key.remaining() > maxKeySize || key.remaining() == 0) {
            throw refused("DBI " + reader.dbiName() + " holds a key of " + key.remaining()
                    + " bytes; LMDB keys are 1 to " + maxKeySize + " bytes");
        }
    }

    private void startKeyOrder() {
        if (previousKey == null) {
            previousKey = ByteBuffer.allocate(maxKeySize);
        }
        previousKey.clear().limit(0);
        outOfByteOrder = -1;
        outOfIntegerOrder = -1;
        outOfReverseOrder = -1;
    }

    private void keyOrder(SnapshotReader reader) {
        ByteBuffer key = reader.key();
        if (reader.entryIndex() > 0) {
            long i = reader.entryIndex();
            if (outOfByteOrder < 0 && SnapshotMerger.compareKeys(previousKey, key, 0) >= 0) {
                outOfByteOrder = i;
            }
            if (outOfIntegerOrder < 0 && SnapshotMerger.compareKeys(previousKey, key, DbiFlags.INTEGERKEY) >= 0) {
                outOfIntegerOrder = i;
            }
            if (outOfReverseOrder < 0 && SnapshotMerger.compareKeys(previousKey, key, DbiFlags.REVERSEKEY) >= 0) {
                outOfReverseOrder = i;
            }
        }
        previousKey.clear();
        previousKey.put(key).flip();
    }

    /** The order of the DBI's final flags, as the merge checks it (with the local DBI's flags, usually the same). */
    private void endKeyOrder(SnapshotReader reader) {
        long flags = reader.dbiFlags();
        long outOfOrder = DbiFlags.has(flags, DbiFlags.INTEGERKEY) ? outOfIntegerOrder
                : DbiFlags.has(flags, DbiFlags.REVERSEKEY) ? outOfReverseOrder : outOfByteOrder;
        if (outOfOrder >= 0) {
            throw refused("DBI " + reader.dbiName() + " entry #" + outOfOrder
                    + ": its key comes twice or after a bigger key; entries must be in LMDB key order without duplicates");
        }
    }

    MergeException refused(String why) {
        return new MergeException("lmdb " + lmdbName + ": snapshot " + snapshotName + " not merged: " + why);
    }
}
