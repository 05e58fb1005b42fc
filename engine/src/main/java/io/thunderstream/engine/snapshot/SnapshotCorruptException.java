package io.thunderstream.engine.snapshot;

/** A snapshot that is not valid gzip or not a valid protobuf {@code Snapshot} message. */
public final class SnapshotCorruptException extends SnapshotFormatException {
    private static final long serialVersionUID = 1L;

    public SnapshotCorruptException(String message) {
        super(message, null);
    }

    public SnapshotCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
