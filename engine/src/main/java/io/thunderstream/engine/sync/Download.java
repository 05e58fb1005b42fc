package io.thunderstream.engine.sync;

import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A downloaded snapshot waiting to be merged: in memory, or in a temp file when large. */
record Download(SnapshotName name, SnapshotSource source, Path tempFile) {

    /** Frees the temp file, if any. */
    void release() {
        if (tempFile != null) {
            try {
                Files.deleteIfExists(tempFile);
            } catch (IOException e) {
                // A leftover temp file is harmless; the OS cleans its temp directory.
            }
        }
    }
}
