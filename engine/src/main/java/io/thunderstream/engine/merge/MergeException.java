package io.thunderstream.engine.merge;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import org.lmdbjava.Env;

/**
 * A snapshot cannot be merged into this LMDB. Either it holds something this mode refuses (a
 * transform in native mode, a DUPSORT DBI, a key LMDB cannot store): then nothing of it was
 * applied. Or the LMDB is at fault (its data is not what the mode expects, or it is full): then
 * the slices committed before stay, each key whole. The message names the LMDB and snapshot, and
 * the DBI and key where there is one.
 */
public class MergeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The LMDB ran out of map while merging: the open transaction is aborted; the slices committed
     * before it stay. Not the snapshot's fault, so the syncer stops rather than skip it.
     */
    public static MergeException lmdbFull(LmdbEnvironment lmdb, String snapshotName, Env.MapFullException cause) {
        return new MergeException("lmdb " + lmdb.name() + ": snapshot " + snapshotName
                + " not merged: the LMDB is full (map_size " + lmdb.env().info().mapSize + " bytes); raise lmdbs."
                + lmdb.name() + ".options.map_size", cause);
    }
}
