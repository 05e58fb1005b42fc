package io.thunderstream.engine.sync;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotMerger;
import io.thunderstream.engine.powerdns.PowerDnsChecks;
import io.thunderstream.engine.shadow.ShadowMode;
import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync loop of one LMDB (compat.md section 4): load the newest snapshot of every instance,
 * this one's first; then every {@code lmdb_poll_interval}, and as soon as the {@link Receiver}
 * has a download ready, merge what it downloaded and store a snapshot when the LMDB changed
 * locally.
 *
 * <p>Local changes are told from merges by the LMDB's transaction id: a merge that commits txn
 * T right after the snapshot of T-1 (or, in slices, T, T+1, ... with no gap) proves nothing else
 * was written, so merges alone never cause snapshots. Merges and snapshots run in turn on this loop's thread.
 */
final class DbSyncer {

    private static final Logger log = LoggerFactory.getLogger(DbSyncer.class);

    /** At most this many merges in a row while local changes wait to be stored. */
    static final int MAX_MERGES_BEFORE_SNAPSHOT = 10;

    private final String db;
    private final ThunderstreamConfig config;
    private final LmdbEnvironment lmdb;
    private final Receiver receiver;
    private final SnapshotSender sender;
    private final SnapshotMerger merger;
    private final ShadowMode shadow;
    private final boolean receiveOnly;
    private final SyncListener listener;
    private final Clock clock;
    private final Retrier retrier;
    private final CountDownLatch firstPass = new CountDownLatch(1);
    private final Object wakeUp = new Object();
    /** Set by {@link #wake}, under {@code wakeUp}: the next pause ends at once. */
    private boolean woken;
    private volatile boolean stopping;

    private long lastSnapshotTxnId;
    private long lastSnapshotNanos;
    private boolean ownSnapshotLoaded;
    private int mergesWithChangesPending;

    DbSyncer(ThunderstreamConfig config, LmdbConfig lmdbConfig, LmdbEnvironment lmdb, Receiver receiver,
            SnapshotSender sender, ShadowMode shadow, boolean receiveOnly, SyncListener listener, Clock clock) {
        this.db = lmdbConfig.name();
        this.config = config;
        this.lmdb = lmdb;
        this.receiver = receiver;
        this.sender = sender;
        this.merger = new SnapshotMerger(lmdb, lmdbConfig.headerExtraPaddingBlock(), lmdbConfig.dbiOptions(),
                lmdbConfig.mergeLockDuration());
        this.shadow = shadow;
        this.receiveOnly = receiveOnly;
        this.listener = listener;
        this.clock = clock;
        this.retrier = new Retrier(config.storageRetryInterval(), config.storageRetryCount(), config.storageRetryForever(),
                this::pause);
    }

    /** Tombstones older than this are not re-added by merges while the sweeper removes them (compat.md section 7). */
    private long deletedCutoffNanos() {
        var sweeper = config.sweeper();
        if (!sweeper.enabled()) {
            return 0;
        }
        return clock.nanosSinceEpoch() - sweeper.retentionMinusCutoff().toNanos();
    }

    String db() {
        return db;
    }

    CountDownLatch firstPass() {
        return firstPass;
    }

    /** Runs until {@link #stop()}, or after the first pass with only_once. */
    void run() throws IOException, InterruptedException {
        lastSnapshotNanos = clock.nanosSinceEpoch(); // the forced-snapshot interval counts from the start
        PowerDnsChecks.sequentialZoneIds(lmdb).ifPresent(log::warn);
        if (shadow != null) {
            shadow.start(); // before any snapshot is merged: data written while no syncer ran
        }
        loadNewestSnapshots();
        ownSnapshotLoaded = true;
        snapshotIfChanged();
        firstPass.countDown();
        listener.firstPassDone(db);
        log.info("db {}: first pass done at txn {}", db, lmdb.lastTxnId());
        if (config.onlyOnce()) {
            return;
        }
        // A download that becomes ready ends the pause: it is merged at once rather than up to
        // one lmdb_poll_interval later (compat.md section 4 loops at a fixed interval).
        receiver.onReady(this::wake);
        while (pause(config.lmdbPollInterval())) {
            mergeReady();
            snapshotIfChanged();
        }
    }

    void stop() {
        stopping = true;
        wake();
    }

    private void wake() {
        synchronized (wakeUp) {
            woken = true;
            wakeUp.notifyAll();
        }
    }

    /** Waits {@code d}, or until woken (a download is ready); false when stopping. */
    private boolean pause(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        synchronized (wakeUp) {
            while (!stopping && !woken) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
            }
            woken = false;
        }
        return !stopping;
    }

    /** Startup: the newest snapshot of every instance, this one's first, merged before anything is stored. */
    private void loadNewestSnapshots() throws IOException, InterruptedException {
        String own = sender.instance();
        while (!stopping) {
            List<BlobInfo> listing = retrier.call("db " + db + ": listing snapshots", receiver::list);
            Map<String, SnapshotName> newest = receiver.newestPerInstance(listing);
            List<SnapshotName> toLoad = new ArrayList<>();
            if (newest.containsKey(own)) {
                toLoad.add(newest.remove(own));
            }
            toLoad.addAll(newest.values());
            boolean allMerged = true;
            for (SnapshotName name : toLoad) {
                Download d;
                try {
                    d = retrier.call("db " + db + " instance " + name.instance() + ": downloading snapshot " + name,
                            () -> receiver.download(name));
                } catch (BlobNotFoundException e) {
                    allMerged = false; // removed by a cleaner since the listing
                    continue;
                }
                allMerged &= merge(d);
            }
            // A rejected or vanished snapshot makes its instance's previous one the newest: list again.
            if (allMerged) {
                return;
            }
        }
    }

    private void mergeReady() throws IOException, InterruptedException {
        for (Download d : receiver.takeReady()) {
            if (stopping) {
                d.release();
                return;
            }
            if (!receiveOnly && localChangesPending() && ++mergesWithChangesPending > MAX_MERGES_BEFORE_SNAPSHOT) {
                storeSnapshot();
            }
            merge(d);
        }
    }

    /** Merges one download; false when the snapshot was rejected (and will be skipped from now on). */
    private boolean merge(Download d) throws IOException {
        try {
            log.debug("db {} instance {}: merging snapshot {}", db, d.name().instance(), d.name());
            long start = System.nanoTime();
            MergeResult result = shadow != null ? shadow.merge(d.source(), deletedCutoffNanos())
                    : merger.merge(d.source(), deletedCutoffNanos());
            receiver.markMerged(d.name());
            // Only when the merge's transactions (one per slice) directly follow the snapshot:
            // an application write between slices is a local change to store.
            if (result.follows(lastSnapshotTxnId)) {
                lastSnapshotTxnId = result.committedTxnId();
            }
            log.info("db {} instance {}: merged snapshot {}: {} entries, {} changed, txn {} ({} ms)", db,
                    d.name().instance(), d.name(), result.entriesRead(), result.entriesWritten(),
                    result.changedAnything() ? result.committedTxnId() : "unchanged",
                    (System.nanoTime() - start) / 1_000_000);
            listener.snapshotMerged(db, d.name().toString(), result);
            return true;
        } catch (SnapshotFormatException | MergeException e) {
            if (e.getCause() instanceof org.lmdbjava.Env.MapFullException) {
                // The LMDB is at fault, not the snapshot: skipping it would lose its changes for good.
                // Stop the syncer; restarted with a larger map_size it merges the snapshot (docs/reliability.md).
                throw e;
            }
            log.error("db {} instance {}: snapshot {} rejected, skipped from now on: {}", db, d.name().instance(), d.name(),
                    e.getMessage());
            receiver.markRejected(d.name());
            listener.snapshotRejected(db, d.name().toString(), e);
            return false;
        } finally {
            d.release();
        }
    }

    private boolean localChangesPending() {
        return lmdb.lastTxnId() > lastSnapshotTxnId;
    }

    private void snapshotIfChanged() throws IOException, InterruptedException {
        if (receiveOnly || !ownSnapshotLoaded || lmdb.lastTxnId() == 0) {
            return;
        }
        Duration force = config.storageForceSnapshotInterval();
        boolean forced = !force.isZero() && clock.nanosSinceEpoch() - lastSnapshotNanos >= force.toNanos();
        if (localChangesPending() || forced) {
            storeSnapshot();
        }
    }

    private void storeSnapshot() throws IOException, InterruptedException {
        log.debug("db {}: storing a snapshot at txn {}", db, lmdb.lastTxnId());
        long start = System.nanoTime();
        SnapshotSender.Sent sent;
        try {
            sent = retrier.call("db " + db + " instance " + sender.instance() + ": storing a snapshot", sender::send);
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            listener.snapshotStoreGaveUp(db, e);
            throw e;
        }
        lastSnapshotTxnId = sent.txnId();
        lastSnapshotNanos = clock.nanosSinceEpoch();
        mergesWithChangesPending = 0;
        log.info("db {} instance {}: stored snapshot {} at txn {}: {} bytes ({} ms)", db, sender.instance(), sent.name(),
                sent.txnId(), sent.compressedBytes(), (System.nanoTime() - start) / 1_000_000);
        listener.snapshotStored(db, sent.name().toString(), sent.txnId(), sent.compressedBytes());
    }
}
