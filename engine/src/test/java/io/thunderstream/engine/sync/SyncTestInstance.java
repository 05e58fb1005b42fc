package io.thunderstream.engine.sync;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** One instance of a sync test: an application's LMDB and a syncer on it, restartable. */
final class SyncTestInstance implements AutoCloseable {

    final String name;
    final NativeLmdb app;
    final List<String> stored = new CopyOnWriteArrayList<>();
    final List<String> merged = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    private final StorageBackend storage;
    private final boolean receiveOnly;
    private Syncer syncer;

    SyncTestInstance(String name, Path lmdbDir, StorageBackend storage, boolean receiveOnly, String... dbis) {
        this.name = name;
        this.app = NativeLmdb.open(lmdbDir, dbis);
        this.storage = storage;
        this.receiveOnly = receiveOnly;
    }

    static ThunderstreamConfig config(String instance, Path lmdbDir) {
        return ThunderstreamConfig.parse("""
                instance: %s
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                storage:
                  type: memory
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                storage_retry_interval: 100ms
                """.formatted(instance, lmdbDir), Map.of());
    }

    SyncTestInstance start() throws InterruptedException {
        syncer = Syncer.builder(config(name, app.dir()))
                .storage(storage)
                .environment("main", app.env())
                .receiveOnly(receiveOnly)
                .listener(new SyncListener() {
                    @Override
                    public void snapshotStored(String db, String snapshot, long txnId, long bytes) {
                        stored.add(snapshot);
                    }

                    @Override
                    public void snapshotMerged(String db, String snapshot, MergeResult result) {
                        merged.add(snapshot);
                    }

                    @Override
                    public void snapshotRejected(String db, String snapshot, Exception why) {
                        rejected.add(snapshot);
                    }
                })
                .build();
        syncer.start();
        if (!syncer.awaitFirstPass(Duration.ofSeconds(30))) {
            throw new AssertionError(name + ": no first pass within 30 s");
        }
        return this;
    }

    void stop() throws InterruptedException {
        if (syncer != null) {
            syncer.close();
            syncer = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        app.close();
    }
}
