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

/**
 * One instance of a sync test: an application's LMDB and a syncer on it, restartable. Published
 * in the engine's test-jar for the sync tests through real backends.
 */
public final class SyncTestInstance implements AutoCloseable {

    /** Fast polls and retries, so tests converge in a second or two. */
    public static final String FAST = """
            lmdb_poll_interval: 100ms
            storage_poll_interval: 100ms
            storage_retry_interval: 100ms
            """;

    public final String name;
    public final NativeLmdb app;
    public final List<String> stored = new CopyOnWriteArrayList<>();
    public final List<String> merged = new CopyOnWriteArrayList<>();
    public final List<String> rejected = new CopyOnWriteArrayList<>();
    /** What stopped the syncer, seen when it was stopped. */
    public final List<Exception> failures = new CopyOnWriteArrayList<>();
    private final StorageBackend storage;
    private final boolean receiveOnly;
    private String settings = FAST;
    private SyncListener extraListener = new SyncListener() { };
    private Syncer syncer;

    public SyncTestInstance(String name, Path lmdbDir, StorageBackend storage, boolean receiveOnly, String... dbis) {
        this.name = name;
        this.app = NativeLmdb.open(lmdbDir, dbis);
        this.storage = storage;
        this.receiveOnly = receiveOnly;
    }

    /** Top-level config lines (YAML) besides instance, lmdbs and storage, from the next start on; default {@link #FAST}. */
    public SyncTestInstance settings(String yaml) {
        this.settings = yaml;
        return this;
    }

    /** Another listener of the syncer (such as the engine's {@code Health}), from the next start on. */
    public SyncTestInstance listener(SyncListener listener) {
        this.extraListener = listener;
        return this;
    }

    /** The config the next start uses. */
    public ThunderstreamConfig config() {
        return config(name, app.dir(), settings);
    }

    static ThunderstreamConfig config(String instance, Path lmdbDir, String settings) {
        return ThunderstreamConfig.parse("""
                instance: %s
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                storage:
                  type: memory
                """.formatted(instance, lmdbDir) + settings, Map.of());
    }

    public SyncTestInstance start() throws InterruptedException {
        return start(Duration.ofSeconds(30));
    }

    /** Starts the syncer and waits for its first pass. */
    public SyncTestInstance start(Duration firstPassTimeout) throws InterruptedException {
        syncer = Syncer.builder(config())
                .storage(storage)
                .environment("main", app.env())
                .receiveOnly(receiveOnly)
                .listener(SyncListener.all(extraListener, new SyncListener() {
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
                }))
                .build();
        syncer.start();
        if (!syncer.awaitFirstPass(firstPassTimeout)) {
            throw new AssertionError(name + ": no first pass within " + firstPassTimeout.toSeconds() + " s");
        }
        return this;
    }

    public boolean running() {
        return syncer != null;
    }

    /** The syncer itself, while running. */
    public Syncer syncer() {
        return syncer;
    }

    /** Stops the syncer; a failure that had stopped it is kept in {@link #failures}. */
    public void stop() throws InterruptedException {
        if (syncer != null) {
            syncer.stop();
            try {
                syncer.awaitTermination();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failures.add(e);
            }
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
