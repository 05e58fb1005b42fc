package io.thunderstream.engine.sync;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.sweeper.SweepStats;
import java.util.List;

/** {@link SyncListener#all}: every event to every listener. A new event needs a line here. */
final class AllListeners implements SyncListener {

    private final List<SyncListener> listeners;

    AllListeners(List<SyncListener> listeners) {
        this.listeners = listeners;
    }

    @Override
    public void snapshotStored(String db, String name, long txnId, long compressedBytes) {
        listeners.forEach(l -> l.snapshotStored(db, name, txnId, compressedBytes));
    }

    @Override
    public void snapshotMerged(String db, String name, MergeResult result) {
        listeners.forEach(l -> l.snapshotMerged(db, name, result));
    }

    @Override
    public void snapshotRejected(String db, String name, Exception why) {
        listeners.forEach(l -> l.snapshotRejected(db, name, why));
    }

    @Override
    public void firstPassDone(String db) {
        listeners.forEach(l -> l.firstPassDone(db));
    }

    @Override
    public void storageListed(String db, List<BlobInfo> listing, long nanos) {
        listeners.forEach(l -> l.storageListed(db, listing, nanos));
    }

    @Override
    public void storageLoaded(String db, String name, long bytes, long nanos) {
        listeners.forEach(l -> l.storageLoaded(db, name, bytes, nanos));
    }

    @Override
    public void storageStored(String db, String name, long bytes, long nanos) {
        listeners.forEach(l -> l.storageStored(db, name, bytes, nanos));
    }

    @Override
    public void storageFailed(String db, StorageOperation operation, String name, Exception why) {
        listeners.forEach(l -> l.storageFailed(db, operation, name, why));
    }

    @Override
    public void snapshotStoreGaveUp(String db, Exception why) {
        listeners.forEach(l -> l.snapshotStoreGaveUp(db, why));
    }

    @Override
    public void syncFailed(String db, Exception why) {
        listeners.forEach(l -> l.syncFailed(db, why));
    }

    @Override
    public void cleanerListed(String db, Exception why) {
        listeners.forEach(l -> l.cleanerListed(db, why));
    }

    @Override
    public void cleanerDeleted(String db, String name, String reason, Exception why) {
        listeners.forEach(l -> l.cleanerDeleted(db, name, reason, why));
    }

    @Override
    public void sweepDone(String db, SweepStats stats) {
        listeners.forEach(l -> l.sweepDone(db, stats));
    }
}
