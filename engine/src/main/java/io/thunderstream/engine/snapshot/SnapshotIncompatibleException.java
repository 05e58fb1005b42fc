package io.thunderstream.engine.snapshot;

/** A well-formed snapshot whose version this reader does not support. */
public final class SnapshotIncompatibleException extends SnapshotFormatException {
    private static final long serialVersionUID = 1L;

    public SnapshotIncompatibleException(String message) {
        super(message, null);
    }
}
