package io.thunderstream.engine.shadow;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.snapshot.SnapshotReader;

/**
 * What shadow mode takes of a snapshot's DBIs (compat.md section 5): no transform but
 * {@code dupsort_hack_v1}; from formatVersion 3 that transform exactly on DUPSORT DBIs, and only
 * with {@code dupsort_hack: true}; every key of such a DBI a {@code dupsort_hack_v1} key; entries
 * in the order of the shadow DBI (which keeps only INTEGERKEY of the DBI's flags). Rules that
 * need the LMDB (its DBIs' flags) are the merge's ({@link ShadowMerge}). One instance per pass.
 */
final class ShadowRules implements SnapshotCheck.DbiRules {

    private final LmdbConfig config;
    private final String lmdbName;
    // The first key of the DBI that is not a dupsort_hack_v1 key, while its transform is unknown.
    private long firstBadKey = -1;
    private String badKeyWhy;

    ShadowRules(LmdbConfig config, String lmdbName) {
        this.config = config;
        this.lmdbName = lmdbName;
    }

    @Override
    public void dbiStart(SnapshotCheck check, SnapshotReader reader) {
        knownTransform(check, reader);
        firstBadKey = -1;
        badKeyWhy = null;
    }

    @Override
    public void entry(SnapshotCheck check, SnapshotReader reader) {
        if (!config.dupsortHack() || firstBadKey >= 0) {
            return; // without the hack, an encoded DBI is refused at its end anyway
        }
        try {
            DupsortHack.keyLength(reader.key(), "lmdb " + lmdbName + " DBI " + reader.dbiName());
        } catch (DupsortHackException e) {
            if (reader.dbiTransform().equals(DupsortHack.TRANSFORM)) {
                throw check.refused(e.getMessage());
            }
            // The transform may come after the entries: decided at the DBI's end.
            firstBadKey = reader.entryIndex();
            badKeyWhy = e.getMessage();
        }
    }

    @Override
    public void dbiEnd(SnapshotCheck check, SnapshotReader reader) {
        knownTransform(check, reader);
        String name = reader.dbiName();
        String transform = reader.dbiTransform();
        boolean hack = transform.equals(DupsortHack.TRANSFORM);
        boolean dupsort = DbiFlags.has(reader.dbiFlags(), DbiFlags.DUPSORT);
        if (reader.formatVersion() >= 3 && dupsort != hack) {
            throw check.refused("DBI " + name + (hack ? " is not DUPSORT but has transform " + DupsortHack.TRANSFORM
                    : " is DUPSORT but has transform \"" + transform + "\" instead of " + DupsortHack.TRANSFORM));
        }
        if (hack && !config.dupsortHack()) {
            throw check.refused("DBI " + name + " is DUPSORT; set lmdbs." + lmdbName + ".dupsort_hack: true to sync it");
        }
        if (hack && firstBadKey >= 0) {
            throw check.refused(badKeyWhy);
        }
    }

    @Override
    public int keyOrderFlags(long dbiFlags) {
        return (int) dbiFlags & ShadowMode.SHADOW_FLAGS;
    }

    private static void knownTransform(SnapshotCheck check, SnapshotReader reader) {
        String transform = reader.dbiTransform();
        if (!transform.isEmpty() && !transform.equals(DupsortHack.TRANSFORM)) {
            throw check.refused("DBI " + reader.dbiName() + " has the unknown transform \"" + transform + "\"");
        }
    }
}
