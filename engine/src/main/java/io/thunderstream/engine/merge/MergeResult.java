package io.thunderstream.engine.merge;

import io.thunderstream.engine.snapshot.SnapshotMeta;

/**
 * What one merge did.
 *
 * @param meta           the snapshot's meta
 * @param entriesRead    entries in the snapshot
 * @param entriesWritten entries that changed the LMDB (new, newer, or the same time with a bigger value)
 * @param committedTxnId the id of the write transaction that was committed, or 0 when nothing
 *                       changed (and the LMDB's txn id did not move)
 */
public record MergeResult(SnapshotMeta meta, long entriesRead, long entriesWritten, long committedTxnId) {

    public boolean changedAnything() {
        return committedTxnId != 0;
    }
}
