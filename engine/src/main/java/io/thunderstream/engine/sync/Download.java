package io.thunderstream.engine.sync;

import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SnapshotSpool;
import io.thunderstream.engine.snapshot.SnapshotName;

/**
 * A downloaded snapshot waiting to be merged, its bytes in a spool (memory, or an unlinked temp
 * file when large): compressed as downloaded, or decompressed once checked.
 */
record Download(SnapshotName name, SnapshotSource source, SnapshotSpool spool) {

    /** Frees the memory or the temp file; more than once is harmless. */
    void release() {
        spool.close();
    }
}
