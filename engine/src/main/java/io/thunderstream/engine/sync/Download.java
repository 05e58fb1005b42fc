package io.thunderstream.engine.sync;

import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A downloaded snapshot waiting to be merged: in memory, or in a temp file when large.
 *
 * @param freed frees what the download holds besides its temp file (its memory slot)
 */
record Download(SnapshotName name, SnapshotSource source, Path tempFile, Runnable freed) {

    Download withSource(SnapshotSource checked) {
        return new Download(name, checked, tempFile, freed);
    }

    /** Frees the memory slot or the temp file. */
    void release() {
        freed.run();
        if (tempFile != null) {
            try {
                Files.deleteIfExists(tempFile);
            } catch (IOException e) {
                // A leftover temp file is harmless; the OS cleans its temp directory.
            }
        }
    }
}
