package io.thunderstream.engine.lmdb;

/** An LMDB environment cannot be opened or used as configured; the message names the LMDB and what to change. */
public class LmdbEnvironmentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LmdbEnvironmentException(String lmdb, String message) {
        super("lmdb " + lmdb + ": " + message);
    }

    public LmdbEnvironmentException(String lmdb, String message, Throwable cause) {
        super("lmdb " + lmdb + ": " + message, cause);
    }
}
