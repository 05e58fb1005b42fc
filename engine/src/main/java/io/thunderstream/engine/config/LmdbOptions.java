package io.thunderstream.engine.config;

/**
 * How to open one LMDB environment: {@code lmdbs.<name>.options}.
 *
 * @param noSubdir {@code path} is the data file itself (lock file beside it, {@code <path>-lock})
 *                 rather than a directory holding {@code data.mdb}; PowerDNS uses this
 * @param create   create the environment (and its directory) when it does not exist
 * @param mapSize  the map size in bytes; 0 keeps the size of an existing environment without
 *                 {@code create}, and is {@link #DEFAULT_CREATE_MAP_SIZE} with it (an existing
 *                 environment's too), as LS does
 * @param maxDbs   the maximum number of named DBIs
 * @param dirMask  permission bits of a created directory (octal in YAML: {@code 0775})
 * @param fileMask permission bits of created files (octal in YAML: {@code 0664})
 */
public record LmdbOptions(boolean noSubdir, boolean create, long mapSize, int maxDbs, int dirMask, int fileMask) {

    public static final long DEFAULT_CREATE_MAP_SIZE = 1L << 30;
    public static final int DEFAULT_MAX_DBS = 64;
    public static final int DEFAULT_DIR_MASK = 0775;
    public static final int DEFAULT_FILE_MASK = 0664;

    private static final LmdbOptions DEFAULTS = new LmdbOptions(false, false, 0, DEFAULT_MAX_DBS, DEFAULT_DIR_MASK, DEFAULT_FILE_MASK);

    /** LS's defaults: an existing environment in a directory, its map size kept. */
    public static LmdbOptions defaults() {
        return DEFAULTS;
    }

    /** The map size to open with: the configured one, or 1 GiB when creating and none is configured. */
    public long mapSizeForOpen() {
        return mapSize == 0 && create ? DEFAULT_CREATE_MAP_SIZE : mapSize;
    }
}
