package io.thunderstream.engine.sync;

import io.thunderstream.engine.merge.MergeResult;

/** Hears what a {@link Syncer} does; called on the syncer's threads, so keep it quick. */
public interface SyncListener {

    /** A snapshot of LMDB {@code db}, read at {@code txnId}, was stored as {@code name}. */
    default void snapshotStored(String db, String name, long txnId, long compressedBytes) {
    }

    /** The snapshot {@code name} was merged into LMDB {@code db}. */
    default void snapshotMerged(String db, String name, MergeResult result) {
    }

    /** A snapshot was skipped for good: corrupt, incompatible, or refused by the merge. */
    default void snapshotRejected(String db, String name, Exception why) {
    }

    /** LMDB {@code db} finished its first full pass: every instance's newest snapshot loaded, its own stored. */
    default void firstPassDone(String db) {
    }
}
