package io.thunderstream.engine.sync;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.sweeper.SweepStats;
import java.util.List;

/**
 * Hears what a {@link Syncer} does; called on the syncer's threads, so keep it quick. Metrics,
 * health and the storage cleaner are listeners; combine several with {@link #all}.
 */
public interface SyncListener {

    /** The storage operations that the syncer times and counts. */
    enum StorageOperation {
        LIST, LOAD, STORE
    }

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

    /** The storage was listed for the snapshots of {@code db} (by the sync loop or the receiver), in {@code nanos}. */
    default void storageListed(String db, List<BlobInfo> listing, long nanos) {
    }

    /** The snapshot {@code name} was downloaded whole: {@code bytes} compressed bytes in {@code nanos}. */
    default void storageLoaded(String db, String name, long bytes, long nanos) {
    }

    /** The snapshot {@code name} was uploaded: {@code bytes} compressed bytes in {@code nanos}. */
    default void storageStored(String db, String name, long bytes, long nanos) {
    }

    /** One attempt of a storage operation failed ({@code name} is the listed prefix for LIST); it may be retried. */
    default void storageFailed(String db, StorageOperation operation, String name, Exception why) {
    }

    /** Storing a snapshot failed more often than {@code storage_retry_count}: the sync of {@code db} stops. */
    default void snapshotStoreGaveUp(String db, Exception why) {
    }

    /** The sync loop of {@code db} stopped with an error that the retries could not overcome. */
    default void syncFailed(String db, Exception why) {
    }

    /** The storage cleaner of {@code db} listed the storage; {@code why} is null when the listing worked. */
    default void cleanerListed(String db, Exception why) {
    }

    /**
     * The storage cleaner of {@code db} deleted, or with {@code why} not null failed to delete,
     * {@code name}; {@code reason} is {@code "newer snapshot"} or {@code "stale instance"}.
     */
    default void cleanerDeleted(String db, String name, String reason, Exception why) {
    }

    /** The tombstone sweeper finished a sweep of {@code db}. */
    default void sweepDone(String db, SweepStats stats) {
    }

    /** A listener that passes every event to each of {@code listeners}, in order. */
    static SyncListener all(SyncListener... listeners) {
        return new AllListeners(List.of(listeners));
    }
}
