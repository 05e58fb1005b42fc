package io.thunderstream.engine.status;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LMDB size gauges, read at each scrape, under the names Lightning Stream uses (which come
 * from older Python LMDB syncers): {@code lmdb_mapsize_bytes}, {@code lmdb_env_readers_current},
 * {@code lmdb_env_readers_max}, {@code lmdb_env_last_tnx_id} (sic), {@code lmdb_filesize_bytes},
 * {@code lmdb_db_usage_bytes}, {@code lmdb_total_usage_bytes}, {@code lmdb_total_usage_fraction},
 * {@code lmdb_stat_entries}, {@code lmdb_stat_pages}, {@code lmdb_stat_depth}; and with
 * {@code lmdb_scrape_smaps}, {@code lmdb_smaps_bytes} from {@code /proc/self/smaps} (Linux).
 */
public final class LmdbCollector implements MultiCollector {

    private static final Logger log = LoggerFactory.getLogger(LmdbCollector.class);

    private record Target(LmdbEnvironment lmdb, Path dataFile) {
    }

    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final boolean scrapeSmaps;

    /** {@code scrapeSmaps}: {@code lmdb_scrape_smaps}. */
    public LmdbCollector(boolean scrapeSmaps) {
        this.scrapeSmaps = scrapeSmaps;
    }

    /**
     * Adds an LMDB; {@code dataFile} (null when unknown) gives {@code lmdb_filesize_bytes} and
     * {@code lmdb_smaps_bytes}.
     */
    public void add(LmdbEnvironment lmdb, Path dataFile) {
        targets.add(new Target(lmdb, dataFile));
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        for (Target t : targets) {
            LmdbStats stats;
            try {
                stats = LmdbStats.read(t.lmdb());
            } catch (RuntimeException e) {
                log.warn("db {}: reading LMDB statistics for metrics failed: {}", t.lmdb().name(), e.toString());
                continue;
            }
            Labels lmdb = Labels.of("lmdb", stats.name());
            add(gauges, "lmdb_mapsize_bytes", "Map size of LMDB database", lmdb, stats.mapSize());
            add(gauges, "lmdb_env_readers_current", "Number of current readers for LMDB database", lmdb, stats.readers());
            add(gauges, "lmdb_env_readers_max", "Maximum number of readers for LMDB database", lmdb, stats.maxReaders());
            add(gauges, "lmdb_env_last_tnx_id", "Last write transaction ID of LMDB database", lmdb, stats.lastTxnId());
            if (t.dataFile() != null) {
                try {
                    add(gauges, "lmdb_filesize_bytes", "File size of LMDB database", lmdb, Files.size(t.dataFile()));
                } catch (IOException e) {
                    log.debug("db {}: size of {}: {}", stats.name(), t.dataFile(), e.toString());
                }
            }
            for (LmdbStats.DbiStats dbi : stats.dbis()) {
                Labels labels = Labels.of("db", dbi.name(), "lmdb", stats.name());
                add(gauges, "lmdb_db_usage_bytes", "Bytes used in last version by data in databases", labels, dbi.usedBytes());
                add(gauges, "lmdb_stat_entries", "Number of entries in named LMDB database", labels, dbi.entries());
                add(gauges, "lmdb_stat_depth", "Tree depth in named LMDB database", labels, dbi.depth());
                String pages = "Number of pages (4kB) in named LMDB database per page type (branch, leaf and overflow)";
                add(gauges, "lmdb_stat_pages", pages, Labels.of("db", dbi.name(), "lmdb", stats.name(), "pagetype", "branch"),
                        dbi.branchPages());
                add(gauges, "lmdb_stat_pages", pages, Labels.of("db", dbi.name(), "lmdb", stats.name(), "pagetype", "leaf"),
                        dbi.leafPages());
                add(gauges, "lmdb_stat_pages", pages, Labels.of("db", dbi.name(), "lmdb", stats.name(), "pagetype", "overflow"),
                        dbi.overflowPages());
            }
            add(gauges, "lmdb_total_usage_bytes", "Bytes used in last version by data in all databases", lmdb, stats.usedBytes());
            if (stats.mapSize() > 0) {
                add(gauges, "lmdb_total_usage_fraction",
                        "Bytes used in last version by data in all databases as fraction (0-1) of map size", lmdb,
                        (double) stats.usedBytes() / stats.mapSize());
            }
        }
        if (scrapeSmaps) {
            addMappedMemory(gauges);
        }
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();
        gauges.values().forEach(b -> out.add(b.build()));
        return new MetricSnapshots(out);
    }

    private void addMappedMemory(Map<String, GaugeSnapshot.Builder> gauges) {
        Map<Path, String> names = new LinkedHashMap<>();
        targets.stream().filter(t -> t.dataFile() != null).forEach(t -> names.put(t.dataFile(), t.lmdb().name()));
        try {
            MappedMemory.read(names.keySet()).forEach((dataFile, fields) -> fields.forEach((smap, bytes) -> add(gauges,
                    "lmdb_smaps_bytes", "Memory statistics for LMDB database from /proc/self/smaps (Linux only)",
                    Labels.of("database_path", dataFile.toAbsolutePath().toString(), "lmdb", names.get(dataFile),
                            "smap", smap), bytes)));
        } catch (IOException | RuntimeException e) {
            log.warn("reading {} for lmdb_smaps_bytes failed: {}", MappedMemory.SMAPS, e.toString());
        }
    }

    private static void add(Map<String, GaugeSnapshot.Builder> gauges, String name, String help, Labels labels, double value) {
        gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
    }
}
