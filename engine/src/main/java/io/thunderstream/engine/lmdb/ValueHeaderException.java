package io.thunderstream.engine.lmdb;

/** A native-mode LMDB value that does not start with a valid Lightning Stream header. */
public final class ValueHeaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String dbi;
    private final String key;

    ValueHeaderException(String dbi, String key, String problem) {
        super("DBI " + dbi + ", key " + key + ": " + problem + (LmdbEnvironment.isPrivate(dbi) ? ""
                : "; native mode (schema_tracks_changes: true) needs a Lightning Stream header on every value: for an"
                        + " application that writes none (PowerDNS before 4.8) set schema_tracks_changes: false"));
        this.dbi = dbi;
        this.key = key;
    }

    /** Name of the DBI holding the bad value. */
    public String dbi() {
        return dbi;
    }

    /** The key of the bad value, printable or as hex (see {@link ValueHeader#describeKey}). */
    public String key() {
        return key;
    }
}
