package io.thunderstream.engine.snapshot;

import java.io.IOException;

/**
 * A snapshot that cannot be used: either damaged ({@link SnapshotCorruptException}) or written
 * for a newer reader ({@link SnapshotIncompatibleException}). Either way the snapshot is
 * skipped, never partly merged.
 */
public abstract class SnapshotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    protected SnapshotFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
