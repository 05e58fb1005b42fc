package io.thunderstream.engine.status;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sweeper.SweepStats;
import io.thunderstream.engine.sync.SyncListener;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The syncer's Prometheus metrics, under Lightning Stream's names and labels so that existing
 * dashboards and alerts keep working; fed by the {@link SyncListener} events. The LMDB gauges
 * ({@code lmdb_*}) come from {@link LmdbCollector}.
 */
public final class SyncMetrics implements SyncListener {

    private static final double M = 60;
    private static final double H = 60 * M;
    private static final double D = 24 * H;

    private final String ownInstance;
    private final Map<String, String> lastSeenPerInstance = new ConcurrentHashMap<>();
    /** The LMDBs listed once already: the first listing counts this instance's own newest snapshot too, as LS's. */
    private final Set<String> listed = ConcurrentHashMap.newKeySet();

    private final Counter generated;
    private final Gauge generatedLastTime;
    private final Gauge generatedLastSize;
    private final Counter storeFailed;
    private final Counter storeFailedPermanently;
    private final Counter storeCalls;
    private final Counter storeBytes;
    private final Gauge lastReceivedTime;
    private final Histogram lastReceivedAge;
    private final Counter loadCalls;
    private final Counter listCalls;
    private final Counter loadFailed;
    private final Counter listFailed;
    private final Counter loadBytes;
    private final Gauge inStorageCount;
    private final Gauge inStorageBytes;
    private final Counter cleanerListCalls;
    private final Counter cleanerListFailed;
    private final Counter cleanerDelete;
    private final Counter cleanerDeleteFailed;
    private final Counter sweeperCleaned;
    private final Gauge sweeperStatsAvailable;
    private final Gauge sweeperTotalEntries;
    private final Gauge sweeperDeletedEntries;
    private final Summary sweeperDuration;
    private final Counter merged;
    private final Counter rejected;

    /**
     * Registers the metrics in {@code registry}.
     *
     * @param ownInstance this instance's name: its own snapshots are "received" at the first listing only (as in LS)
     */
    public SyncMetrics(PrometheusRegistry registry, String ownInstance) {
        this.ownInstance = SnapshotName.sanitizeInstance(ownInstance);
        generated = counter(registry, "lightningstream_syncer_snapshots_generated_total", "Number of snapshots generated", "lmdb");
        generatedLastTime = gauge(registry, "lightningstream_syncer_snapshots_generated_last_unix_seconds",
                "UNIX timestamp of last generated snapshot", "lmdb");
        generatedLastSize = gauge(registry, "lightningstream_syncer_snapshots_generated_last_size_bytes",
                "Size of last generated snapshot in bytes", "lmdb");
        storeFailed = counter(registry, "lightningstream_syncer_snapshots_store_failed_attempts_total",
                "Number of snapshot failed store attempts", "lmdb");
        storeFailedPermanently = counter(registry, "lightningstream_syncer_snapshots_store_failed_permanently_total",
                "Number of permanent snapshot store failures", "lmdb");
        storeCalls = counter(registry, "lightningstream_syncer_snapshots_store_calls_total", "Number of snapshot store calls");
        storeBytes = counter(registry, "lightningstream_syncer_snapshots_store_bytes_total", "Number of bytes stored successfully");
        lastReceivedTime = gauge(registry, "lightningstream_receiver_snapshots_last_received_seconds",
                "UNIX timestamp of last received snapshot by instance", "lmdb", "syncer_instance");
        lastReceivedAge = Histogram.builder()
                .name("lightningstream_receiver_snapshots_last_received_age_seconds")
                .help("Age of last received snapshot by instance in seconds")
                .classicOnly()
                .classicUpperBounds(0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 1 * M, 2 * M, 5 * M, 10 * M, 30 * M,
                        1 * H, 2 * H, 6 * H, 12 * H, 1 * D, 3 * D, 7 * D, 14 * D, 30 * D)
                .labelNames("lmdb", "syncer_instance")
                .register(registry);
        loadCalls = counter(registry, "lightningstream_syncer_snapshots_load_calls_total", "Number of snapshot load calls");
        listCalls = counter(registry, "lightningstream_syncer_snapshots_list_calls_total", "Number of snapshot list calls");
        loadFailed = counter(registry, "lightningstream_syncer_snapshots_load_failed_total",
                "Number of snapshot failed load attempts", "lmdb", "syncer_instance");
        listFailed = counter(registry, "lightningstream_syncer_snapshots_list_failed_total",
                "Number of snapshot failed list attempts", "lmdb");
        loadBytes = counter(registry, "lightningstream_syncer_snapshots_load_bytes_total", "Number of bytes downloaded successfully");
        inStorageCount = gauge(registry, "lightningstream_receiver_snapshots_in_storage_count", "Number of snapshots in storage", "lmdb");
        inStorageBytes = gauge(registry, "lightningstream_receiver_snapshots_in_storage_bytes",
                "Number of bytes occupied by snapshots in storage", "lmdb");
        cleanerListCalls = counter(registry, "lightningstream_cleaner_list_calls_total", "Number of cleaner list calls");
        cleanerListFailed = counter(registry, "lightningstream_cleaner_list_failed_total", "Number of cleaner failed list attempts");
        cleanerDelete = counter(registry, "lightningstream_cleaner_delete_total", "Number of cleaner delete calls", "lmdb", "reason");
        cleanerDeleteFailed = counter(registry, "lightningstream_cleaner_delete_failed_total", "Number of failed cleaner delete calls");
        sweeperCleaned = counter(registry, "lightningstream_sweeper_cleaned_total",
                "Number of stale deletion markers cleaned by the sweeper", "lmdb");
        sweeperStatsAvailable = gauge(registry, "lightningstream_sweeper_stats_available",
                "Set to 1 when the stats are available after a sweep run", "lmdb");
        sweeperTotalEntries = gauge(registry, "lightningstream_sweeper_stats_total_entries",
                "Total entries after last sweeper run, including deleted", "lmdb");
        sweeperDeletedEntries = gauge(registry, "lightningstream_sweeper_stats_deleted_entries",
                "Deleted entries after last sweeper run", "lmdb");
        sweeperDuration = Summary.builder()
                .name("lightningstream_sweeper_duration_seconds")
                .help("Summary of time taken by sweeper")
                .labelNames("lmdb")
                .register(registry);
        // Not in Lightning Stream: merges and rejected snapshots, which its logs alone show.
        merged = counter(registry, "lightningstream_syncer_snapshots_merged_total", "Number of snapshots merged", "lmdb");
        rejected = counter(registry, "lightningstream_syncer_snapshots_rejected_total",
                "Number of snapshots skipped for good: corrupt, incompatible or refused", "lmdb");
    }

    private static Counter counter(PrometheusRegistry registry, String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help, String... labels) {
        return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
    }

    @Override
    public void snapshotStored(String db, String name, long txnId, long compressedBytes) {
        generated.labelValues(db).inc();
        SnapshotName.parse(name).ifPresent(n -> generatedLastTime.labelValues(db).set(seconds(n.timestamp())));
        generatedLastSize.labelValues(db).set(compressedBytes);
    }

    @Override
    public void snapshotMerged(String db, String name, io.thunderstream.engine.merge.MergeResult result) {
        merged.labelValues(db).inc();
    }

    @Override
    public void snapshotRejected(String db, String name, Exception why) {
        rejected.labelValues(db).inc();
    }

    @Override
    public void storageListed(String db, List<BlobInfo> listing, long nanos) {
        listCalls.inc();
        inStorageCount.labelValues(db).set(listing.size());
        inStorageBytes.labelValues(db).set(listing.stream().mapToLong(BlobInfo::size).sum());
        boolean first = listed.add(db);
        Map<String, SnapshotName> newest = new HashMap<>();
        for (BlobInfo blob : listing) {
            SnapshotName.parse(blob.name()).filter(n -> n.database().equals(db) && (first || !n.instance().equals(ownInstance)))
                    .ifPresent(n -> newest.merge(n.instance(), n, SnapshotName::newer));
        }
        Instant now = Instant.now();
        newest.forEach((instance, name) -> {
            if (!name.toString().equals(lastSeenPerInstance.put(db + "/" + instance, name.toString()))) {
                lastReceivedTime.labelValues(db, instance).set(seconds(name.timestamp()));
                lastReceivedAge.labelValues(db, instance).observe(Duration.between(name.timestamp(), now).toNanos() / 1e9);
            }
        });
    }

    @Override
    public void storageLoaded(String db, String name, long bytes, long nanos) {
        loadCalls.inc();
        loadBytes.inc(bytes);
    }

    @Override
    public void storageStored(String db, String name, long bytes, long nanos) {
        storeCalls.inc();
        storeBytes.inc(bytes);
    }

    @Override
    public void storageFailed(String db, StorageOperation operation, String name, Exception why) {
        switch (operation) {
            case LIST -> {
                listCalls.inc();
                listFailed.labelValues(db).inc();
            }
            case LOAD -> {
                loadCalls.inc();
                loadFailed.labelValues(db, SnapshotName.parse(name).map(SnapshotName::instance).orElse("")).inc();
            }
            case STORE -> {
                storeCalls.inc();
                storeFailed.labelValues(db).inc();
            }
        }
    }

    @Override
    public void snapshotStoreGaveUp(String db, Exception why) {
        storeFailedPermanently.labelValues(db).inc();
    }

    @Override
    public void cleanerListed(String db, Exception why) {
        cleanerListCalls.inc();
        if (why != null) {
            cleanerListFailed.inc();
        }
    }

    @Override
    public void cleanerDeleted(String db, String name, String reason, Exception why) {
        cleanerDelete.labelValues(db, reason).inc();
        if (why != null) {
            cleanerDeleteFailed.inc();
        }
    }

    @Override
    public void sweepDone(String db, SweepStats stats) {
        sweeperCleaned.labelValues(db).inc(stats.cleaned());
        sweeperTotalEntries.labelValues(db).set(stats.entries());
        sweeperDeletedEntries.labelValues(db).set(stats.deleted());
        sweeperStatsAvailable.labelValues(db).set(1);
        sweeperDuration.labelValues(db).observe(stats.duration().toNanos() / 1e9);
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
