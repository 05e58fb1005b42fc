package io.thunderstream.engine.merge;

import io.thunderstream.engine.snapshot.SnapshotMeta;
import java.util.List;

/**
 * What one merge did.
 *
 * @param meta            the snapshot's meta
 * @param entriesRead     entries in the snapshot
 * @param entriesWritten  entries that changed the LMDB (new, newer, or the same time with a bigger value)
 * @param committedTxnIds the ids of the write transactions the merge committed, in order: none
 *                        when nothing changed (and the LMDB's txn id did not move), several when
 *                        the merge ran in slices ({@code merge_lock_duration}); application
 *                        transactions may lie between them
 */
public record MergeResult(SnapshotMeta meta, long entriesRead, long entriesWritten, List<Long> committedTxnIds) {

    public MergeResult {
        committedTxnIds = List.copyOf(committedTxnIds);
    }

    /** A merge that committed at most one transaction ({@code committedTxnId} 0: none). */
    public MergeResult(SnapshotMeta meta, long entriesRead, long entriesWritten, long committedTxnId) {
        this(meta, entriesRead, entriesWritten, committedTxnId == 0 ? List.of() : List.of(committedTxnId));
    }

    /** The id of the last write transaction the merge committed, or 0 when nothing changed. */
    public long committedTxnId() {
        return committedTxnIds.isEmpty() ? 0 : committedTxnIds.get(committedTxnIds.size() - 1);
    }

    public boolean changedAnything() {
        return !committedTxnIds.isEmpty();
    }

    /**
     * Whether the merge's transactions directly follow {@code txnId} with nothing else between
     * them: then an LMDB last stored at {@code txnId} holds no local change after the merge.
     */
    public boolean follows(long txnId) {
        long expected = txnId + 1;
        for (long id : committedTxnIds) {
            if (id != expected++) {
                return false;
            }
        }
        return changedAnything();
    }
}
