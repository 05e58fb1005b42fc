package io.thunderstream.engine.merge;

/**
 * A snapshot cannot be merged into this LMDB: it holds something this mode refuses (a transform
 * in native mode, a DUPSORT DBI, a key LMDB cannot store) or the local data is not what the mode
 * expects. Nothing of the snapshot was applied. The message names the LMDB, snapshot, DBI and key.
 */
public class MergeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
