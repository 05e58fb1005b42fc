package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The rules a snapshot must pass before anything of it is merged into an LMDB, and a pass that
 * applies them to a whole snapshot without touching LMDB: the gzip CRCs, the protobuf structure,
 * the versions, the database name, keys LMDB can store, in LMDB key order without duplicates,
 * and what the sync mode takes of DBIs ({@link DbiRules}): native mode no transform and no
 * DUPSORT DBI; shadow mode its own rules. A shadow merge feeds its events to the same rules
 * as it goes ({@link #startDbi}, {@link #entry}, {@link #endDbi}), so both refuse the same.
 *
 * <p>A merge that fits in one write transaction applies the rules as it goes and commits only
 * at the end. A merge in several transactions ({@code merge_lock_duration}) commits early, so it
 * needs the whole snapshot checked first: by the {@link io.thunderstream.engine.sync} receiver
 * right after the download, or by the merger itself when its first slice runs out.
 */
public final class SnapshotCheck {

    /**
     * A pass that checks a whole snapshot for one LMDB, in its sync mode, keeping the decompressed
     * protobuf in a spool ({@link #check(SnapshotSource, String, int, DbiRules, SnapshotSpool)}).
     */
    @FunctionalInterface
    public interface Checker {
        /**
         * @return the source, marked checked, with the final flags of its DBIs
         * @throws io.thunderstream.engine.snapshot.SnapshotFormatException when it is corrupt or incompatible
         * @throws MergeException when this LMDB refuses what it holds
         */
        SnapshotSource check(SnapshotSource source, SnapshotSpool spool) throws IOException;
    }

    /**
     * What a sync mode takes of a snapshot's DBIs, told the events of each non-private DBI; a
     * rule refuses with {@link SnapshotCheck#refused}. One instance serves one pass.
     */
    public interface DbiRules {
        /** At the DBI's start: flags and transform may still come after the entries. */
        void dbiStart(SnapshotCheck check, SnapshotReader reader);

        void entry(SnapshotCheck check, SnapshotReader reader);

        /** At the DBI's end, with its final flags and transform. */
        void dbiEnd(SnapshotCheck check, SnapshotReader reader);

        /** The flags that give the LMDB key order of the entries of a DBI with these final flags. */
        int keyOrderFlags(long dbiFlags);
    }

    /** Native mode: no transform, no DUPSORT DBI, entries in the order of the DBI's flags. */
    public static final DbiRules NATIVE_RULES = new DbiRules() {
        @Override
        public void dbiStart(SnapshotCheck check, SnapshotReader reader) {
            check.transform(reader);
        }

        @Override
        public void entry(SnapshotCheck check, SnapshotReader reader) {
        }

        @Override
        public void dbiEnd(SnapshotCheck check, SnapshotReader reader) {
            check.nativeDbiEnd(reader);
        }

        @Override
        public int keyOrderFlags(long dbiFlags) {
            return (int) dbiFlags;
        }
    };

    private final String lmdbName;
    private final String snapshotName;
    private final int maxKeySize;
    private final DbiRules rules;

    // Key order of the current DBI under each of LMDB's orders, as the flags (which the wire may
    // carry after the entries) are known only at its end: the first entry out of each order.
    private ByteBuffer previousKey;
    private long outOfByteOrder;
    private long outOfIntegerOrder;
    private long outOfReverseOrder;

    SnapshotCheck(String lmdbName, String snapshotName, int maxKeySize) {
        this(lmdbName, snapshotName, maxKeySize, NATIVE_RULES);
    }

    /** The rules of one pass over snapshot {@code snapshotName}, for a merge that applies them as it goes. */
    public SnapshotCheck(String lmdbName, String snapshotName, int maxKeySize, DbiRules rules) {
        this.lmdbName = lmdbName;
        this.snapshotName = snapshotName;
        this.maxKeySize = maxKeySize;
        this.rules = rules;
    }

    /**
     * Reads the whole snapshot and applies every rule of native mode.
     *
     * @param maxKeySize the LMDB's largest key ({@code Env.getMaxKeySize()})
     * @return the source, marked checked, with the final flags of its DBIs (and where its merge can be cut in two)
     * @throws io.thunderstream.engine.snapshot.SnapshotFormatException when it is corrupt or incompatible
     * @throws MergeException when this LMDB refuses what it holds
     */
    public static SnapshotSource check(SnapshotSource source, String lmdbName, int maxKeySize) throws IOException {
        return check(source, lmdbName, maxKeySize, NATIVE_RULES, null);
    }

    /**
     * Reads the whole snapshot and applies every rule, the DBI rules of a sync mode among them.
     * With a {@code spool}, keeps the decompressed protobuf there, from which the returned source
     * reads, so the merge does not inflate it again; the caller closes the spool once the merge is
     * done (also when the check fails).
     */
    public static SnapshotSource check(SnapshotSource source, String lmdbName, int maxKeySize, DbiRules dbiRules,
            SnapshotSpool spool)
            throws IOException {
        if (source.checkedDbiFlags().isPresent()) {
            return source;
        }
        SnapshotCheck check = new SnapshotCheck(lmdbName, source.name(), maxKeySize, dbiRules);
        Map<String, Long> flags = new HashMap<>();
        SplitPoint.Sampler sampler = null;
        SplitPoint.Sampler largest = null;
        long entries = 0;
        try (SnapshotReader reader = spool == null || source.decompressed() ? source.reader()
                : new SnapshotReader(spool.recording(Gzip.decompress(source.open())))) {
            boolean skipDbi = false;
            for (Event e; (e = reader.next()) != Event.END; ) {
                switch (e) {
                    case META -> check.database(reader);
                    case DBI_START -> {
                        skipDbi = LmdbEnvironment.isPrivate(reader.dbiName());
                        if (!skipDbi) {
                            check.startDbi(reader);
                            sampler = new SplitPoint.Sampler();
                        }
                    }
                    case ENTRY -> {
                        if (!skipDbi) {
                            check.entry(reader);
                            sampler.add(reader);
                        }
                    }
                    case DBI_END -> {
                        if (!skipDbi) {
                            check.endDbi(reader);
                            entries += sampler.entries();
                            if (largest == null || sampler.entries() > largest.entries()) {
                                largest = sampler;
                            }
                        }
                        flags.put(reader.dbiName(), reader.dbiFlags());
                    }
                    default -> throw new IllegalStateException(e.toString());
                }
            }
        }
        SplitPoint split = SplitPoint.balancing(largest, entries);
        if (spool != null && !source.decompressed()) {
            spool.finish();
            return SnapshotSource.checked(source, spool, flags, split);
        }
        return SnapshotSource.checked(source, null, flags, split);
    }

    /** The start of a DBI that is not private. */
    public void startDbi(SnapshotReader reader) {
        rules.dbiStart(this, reader);
        startKeyOrder();
    }

    /** An entry of a DBI that is not private. */
    public void entry(SnapshotReader reader) {
        key(reader);
        keyOrder(reader);
        rules.entry(this, reader);
    }

    /** The end of a DBI that is not private, with its final flags and transform. */
    public void endDbi(SnapshotReader reader) {
        rules.dbiEnd(this, reader);
        endKeyOrder(reader);
    }

    public void database(SnapshotReader reader) {
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

    /** The DBI's final flags and transform, which the wire may carry after its entries: native mode's rules. */
    void nativeDbiEnd(SnapshotReader reader) {
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
        previousKey.put(key.duplicate()).flip();
    }

    /** The order of the DBI's final flags, as the merge checks it (with the local DBI's flags, usually the same). */
    private void endKeyOrder(SnapshotReader reader) {
        int flags = rules.keyOrderFlags(reader.dbiFlags());
        long outOfOrder = DbiFlags.has(flags, DbiFlags.INTEGERKEY) ? outOfIntegerOrder
                : DbiFlags.has(flags, DbiFlags.REVERSEKEY) ? outOfReverseOrder : outOfByteOrder;
        if (outOfOrder >= 0) {
            throw refused("DBI " + reader.dbiName() + " entry #" + outOfOrder
                    + ": its key comes twice or after a bigger key; entries must be in LMDB key order without duplicates");
        }
    }

    /** The refusal of this snapshot, naming the LMDB and the snapshot. */
    public MergeException refused(String why) {
        return refused(why, null);
    }

    public MergeException refused(String why, Throwable cause) {
        return new MergeException("lmdb " + lmdbName + ": snapshot " + snapshotName + " not merged: " + why, cause);
    }
}
