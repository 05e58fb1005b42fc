package io.thunderstream.engine.cleaner;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.CleanupConfig;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sync.Clock;
import io.thunderstream.engine.sync.SyncListener;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old snapshots of one LMDB from the storage (compat.md section 6), those of every
 * instance, not only this one's. Every run lists {@code <db>__} and:
 * <ul>
 * <li>keeps a snapshot first seen (by this cleaner) less than {@code must_keep_interval} ago, as
 *     another instance may still be downloading it; first seen, not the name's time, because
 *     multi-site copying can make snapshots appear late;</li>
 * <li>keeps the newest snapshot of each instance, and deletes its older ones;</li>
 * <li>deletes the newest snapshot of an instance older than {@code remove_old_instances_interval}
 *     only when the merge is proven: this instance merged it (or a newer one of that instance)
 *     and has stored a snapshot of its own since, so its changes live on in that snapshot.</li>
 * </ul>
 * It listens to the sync loop for that proof. Several cleaners may run at once on one bucket:
 * they agree on what to delete, and deleting a missing blob is not an error.
 */
public final class Cleaner implements SyncListener {

    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

    static final String REASON_NEWER_SNAPSHOT = "newer snapshot";
    static final String REASON_STALE_INSTANCE = "stale instance";

    private final String db;
    private final StorageBackend storage;
    private final CleanupConfig config;
    private final SyncListener listener;
    private final Clock clock;

    /** When this cleaner first saw each snapshot in a listing; names gone from the listing are forgotten. */
    private final Map<String, Long> firstSeenNanos = new HashMap<>();
    /** Per instance: the newest of its snapshots merged here since this instance last stored one. */
    private final Map<String, Instant> mergedSinceStore = new ConcurrentHashMap<>();
    /** Per instance: the newest of its snapshots merged here before this instance stored one (merge proven). */
    private final Map<String, Instant> committed = new ConcurrentHashMap<>();

    public Cleaner(String db, StorageBackend storage, CleanupConfig config, SyncListener listener, Clock clock) {
        this.db = db;
        this.storage = storage;
        this.config = config;
        this.listener = listener;
        this.clock = clock;
    }

    public String db() {
        return db;
    }

    /** {@code d} times a random factor in [0.8, 1.2), as LS does, so that instances spread their runs out. */
    public static Duration perturbed(Duration d) {
        return d.multipliedBy(800 + ThreadLocalRandom.current().nextInt(400)).dividedBy(1000);
    }

    /** One cleaning run; returns the names deleted. */
    public synchronized List<String> runOnce() {
        long now = clock.nanosSinceEpoch();
        List<BlobInfo> listing;
        try {
            listing = storage.list(SnapshotName.prefix(db));
            listener.cleanerListed(db, null);
        } catch (IOException | RuntimeException e) {
            listener.cleanerListed(db, e);
            log.warn("db {}: cleaner: listing the storage failed: {}", db, e.getMessage());
            return List.of();
        }
        List<SnapshotName> snapshots = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (BlobInfo blob : listing) {
            SnapshotName.parse(blob.name())
                    .filter(n -> n.database().equals(db) && n.kind().equals("snapshot"))
                    .ifPresent(n -> {
                        snapshots.add(n);
                        listed.add(n.toString());
                    });
        }
        firstSeenNanos.keySet().retainAll(listed);
        // Newest first, so the first snapshot met of an instance is its newest.
        snapshots.sort(Comparator.comparing(SnapshotName::timestamp).thenComparing(SnapshotName::toString).reversed());

        Set<String> instancesWithKept = new HashSet<>();
        List<SnapshotName> candidates = new ArrayList<>();
        long mustKeep = config.mustKeepInterval().toNanos();
        for (SnapshotName name : snapshots) {
            Long firstSeen = firstSeenNanos.get(name.toString());
            if (firstSeen == null) {
                // New: kept, and it does not yet count as the instance's newest, so the previous
                // newest stays for at least one more interval while others download the new one.
                firstSeenNanos.put(name.toString(), now);
            } else if (now - firstSeen <= mustKeep) {
                instancesWithKept.add(name.instance());
            } else {
                candidates.add(name);
            }
        }

        List<String> deleted = new ArrayList<>();
        List<SnapshotName> stale = new ArrayList<>();
        long staleAfter = config.removeOldInstancesInterval().toNanos();
        for (SnapshotName name : candidates) {
            if (instancesWithKept.add(name.instance())) {
                // The instance's newest snapshot: kept, unless the instance looks dead (below).
                if (now - nanos(name.timestamp()) > staleAfter) {
                    stale.add(name);
                }
                continue;
            }
            delete(name, REASON_NEWER_SNAPSHOT, deleted);
        }
        for (SnapshotName name : stale) {
            Instant proven = committed.get(name.instance());
            if (proven == null || name.timestamp().isAfter(proven)) {
                log.debug("db {} instance {}: not cleaning stale snapshot {}, merge not proven yet", db, name.instance(), name);
                continue;
            }
            if (delete(name, REASON_STALE_INSTANCE, deleted)) {
                log.info("db {} instance {}: cleaned stale instance snapshot {}, merge proven", db, name.instance(), name);
            }
        }
        log.debug("db {}: cleaner: {} snapshots listed, {} deleted", db, snapshots.size(), deleted.size());
        return deleted;
    }

    private boolean delete(SnapshotName name, String reason, List<String> deleted) {
        try {
            storage.delete(name.toString());
            listener.cleanerDeleted(db, name.toString(), reason, null);
            log.debug("db {} instance {}: cleaned snapshot {} ({})", db, name.instance(), name, reason);
            deleted.add(name.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            listener.cleanerDeleted(db, name.toString(), reason, e);
            log.warn("db {} instance {}: could not delete old snapshot {}: {}", db, name.instance(), name, e.getMessage());
            return false;
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Override
    public void snapshotMerged(String db, String name, MergeResult result) {
        if (db.equals(this.db)) {
            SnapshotName.parse(name).ifPresent(n -> mergedSinceStore.merge(n.instance(), n.timestamp(),
                    (a, b) -> a.isAfter(b) ? a : b));
        }
    }

    @Override
    public void snapshotStored(String db, String name, long txnId, long compressedBytes) {
        if (db.equals(this.db)) {
            // Everything merged before this store is now part of this instance's own snapshot.
            for (String instance : List.copyOf(mergedSinceStore.keySet())) {
                Instant merged = mergedSinceStore.remove(instance);
                if (merged != null) {
                    committed.merge(instance, merged, (a, b) -> a.isAfter(b) ? a : b);
                }
            }
        }
    }
}
