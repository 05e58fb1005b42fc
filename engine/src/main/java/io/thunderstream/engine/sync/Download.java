package io.thunderstream.engine.sync;

import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A downloaded snapshot waiting to be merged: in memory, or in a temp file when large; once
 * checked, decompressed in a spool.
 *
 * @param tempFile the compressed download's temp file, or null
 * @param freed    frees what the download holds besides its temp file (its memory slot, its spool)
 */
record Download(SnapshotName name, SnapshotSource source, Path tempFile, Runnable freed) {

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
