package io.thunderstream.engine.config;

import io.thunderstream.api.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration, as in a Lightning Stream YAML file: every LS key with LS's default,
 * plus Thunderstream's {@code storage.url} and {@code lmdbs.<name>.merge_lock_duration}.
 * Immutable; the {@code with...} methods give changed copies for command-line overrides.
 *
 * <p>Load one with {@link #load(Path)} or {@link #parse(String, Map)}, or build one in code with
 * {@link #of(String, StorageSettings, List)}; either way {@link #validate()} has run. Any problem is
 * a {@link ConfigException} listing every mistake with its YAML path.
 *
 * @param instance                     this instance's name in snapshot names (sanitised there);
 *                                     the host name by default
 * @param lmdbs                        the LMDBs to sync by name, in config order; at least one
 * @param sweeper                      the tombstone sweeper
 * @param storage                      the storage backend and cleaner
 * @param http                         the status/metrics server
 * @param log                          logging
 * @param health                       {@code /healthz} thresholds
 * @param lmdbPollInterval             time between checks of the LMDBs for new transactions
 * @param lmdbLogStatsInterval         time between logs of LMDB statistics; zero: never
 * @param lmdbScrapeSmaps              read {@code /proc/self/smaps} for memory metrics
 * @param storagePollInterval          time between listings of the storage for new snapshots
 * @param storageRetryInterval         time between retries of a failed storage operation
 * @param storageRetryCount            retries before the syncer gives up with an error
 * @param storageRetryForever          retry failed storage operations forever
 * @param storageForceSnapshotInterval write a snapshot this often even without changes; zero: never
 * @param memoryDownloadedSnapshots    compressed snapshots kept in memory per LMDB
 * @param memoryDecompressedSnapshots  decompressed snapshots kept in memory per LMDB
 * @param onlyOnce                     one pass (load all, snapshot if needed), then exit
 */
public record ThunderstreamConfig(
        String instance,
        Map<String, LmdbConfig> lmdbs,
        SweeperConfig sweeper,
        StorageSettings storage,
        HttpConfig http,
        LogConfig log,
        HealthConfig health,
        Duration lmdbPollInterval,
        Duration lmdbLogStatsInterval,
        boolean lmdbScrapeSmaps,
        Duration storagePollInterval,
        Duration storageRetryInterval,
        int storageRetryCount,
        boolean storageRetryForever,
        Duration storageForceSnapshotInterval,
        int memoryDownloadedSnapshots,
        int memoryDecompressedSnapshots,
        boolean onlyOnce) {

    public static final Duration DEFAULT_LMDB_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_LMDB_LOG_STATS_INTERVAL = Duration.ofMinutes(30);
    public static final Duration DEFAULT_STORAGE_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_STORAGE_RETRY_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_STORAGE_RETRY_COUNT = 100;
    public static final Duration DEFAULT_STORAGE_FORCE_SNAPSHOT_INTERVAL = Duration.ofHours(4);
    public static final int DEFAULT_MEMORY_DOWNLOADED_SNAPSHOTS = 2;
    public static final int DEFAULT_MEMORY_DECOMPRESSED_SNAPSHOTS = 3;

    public ThunderstreamConfig {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(sweeper, "sweeper");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(lmdbPollInterval, "lmdbPollInterval");
        Objects.requireNonNull(lmdbLogStatsInterval, "lmdbLogStatsInterval");
        Objects.requireNonNull(storagePollInterval, "storagePollInterval");
        Objects.requireNonNull(storageRetryInterval, "storageRetryInterval");
        Objects.requireNonNull(storageForceSnapshotInterval, "storageForceSnapshotInterval");
        lmdbs = Collections.unmodifiableMap(new LinkedHashMap<>(lmdbs));
    }

    /**
     * A config with LS's defaults for everything but the instance, the storage and the LMDBs,
     * validated.
     */
    public static ThunderstreamConfig of(String instance, StorageSettings storage, List<LmdbConfig> lmdbs) {
        Map<String, LmdbConfig> byName = new LinkedHashMap<>();
        for (LmdbConfig lmdb : lmdbs) {
            if (byName.put(lmdb.name(), lmdb) != null) {
                throw new ConfigException("lmdbs." + lmdb.name() + ": given twice");
            }
        }
        return new ThunderstreamConfig(instance, byName, SweeperConfig.defaults(), storage, HttpConfig.disabled(),
                LogConfig.defaults(), HealthConfig.defaults(), DEFAULT_LMDB_POLL_INTERVAL,
                DEFAULT_LMDB_LOG_STATS_INTERVAL, true, DEFAULT_STORAGE_POLL_INTERVAL, DEFAULT_STORAGE_RETRY_INTERVAL,
                DEFAULT_STORAGE_RETRY_COUNT, false, DEFAULT_STORAGE_FORCE_SNAPSHOT_INTERVAL,
                DEFAULT_MEMORY_DOWNLOADED_SNAPSHOTS, DEFAULT_MEMORY_DECOMPRESSED_SNAPSHOTS, false).validate();
    }

    /**
     * Loads a YAML config file, expanding {@code ${VAR}} references from the process environment.
     * The instance defaults to the host name.
     */
    public static ThunderstreamConfig load(Path file) {
        return load(file, System.getenv());
    }

    /** Loads a YAML config file, expanding environment references from {@code environment}. */
    public static ThunderstreamConfig load(Path file, Map<String, String> environment) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + FileErrors.describe(file, e), e);
        }
        return ConfigReader.read(yaml, environment, file.toString());
    }

    /**
     * Parses YAML config text. Environment references ({@code $VAR}, {@code ${VAR}},
     * {@code ${VAR:-default}}) are expanded from {@code environment} before parsing, as LS does;
     * an unset variable expands to the empty string.
     */
    public static ThunderstreamConfig parse(String yaml, Map<String, String> environment) {
        return ConfigReader.read(yaml, environment, null);
    }

    /**
     * Checks the values against each other and against their limits (LS's checks plus ours).
     *
     * @return this config
     * @throws ConfigException naming every problem
     */
    public ThunderstreamConfig validate() {
        List<String> problems = ConfigChecks.problems(this);
        if (!problems.isEmpty()) {
            throw new ConfigException(null, problems);
        }
        return this;
    }

    /**
     * The effective config (defaults filled in) as YAML for {@code --log-config}, with secret
     * storage options masked as {@code *****}, in {@code storage.options} and in
     * {@code storage.url} alike.
     */
    public String toMaskedYaml() {
        return ConfigWriter.toMaskedYaml(this);
    }

    /**
     * What is wrong with {@code name} as an instance name ({@code empty}, {@code blank},
     * {@code contains control characters}), for a command line to check its {@code -i} with.
     */
    public static Optional<String> instanceNameProblem(String name) {
        return Optional.ofNullable(ConfigChecks.instanceNameProblem(name));
    }

    /** This config with another instance name ({@code -i}). */
    public ThunderstreamConfig withInstance(String instance) {
        return new ThunderstreamConfig(instance, lmdbs, sweeper, storage, http, log, health, lmdbPollInterval,
                lmdbLogStatsInterval, lmdbScrapeSmaps, storagePollInterval, storageRetryInterval, storageRetryCount,
                storageRetryForever, storageForceSnapshotInterval, memoryDownloadedSnapshots,
                memoryDecompressedSnapshots, onlyOnce).validate();
    }

    /** This config with {@code only_once} set ({@code --only-once}). */
    public ThunderstreamConfig withOnlyOnce(boolean onlyOnce) {
        return new ThunderstreamConfig(instance, lmdbs, sweeper, storage, http, log, health, lmdbPollInterval,
                lmdbLogStatsInterval, lmdbScrapeSmaps, storagePollInterval, storageRetryInterval, storageRetryCount,
                storageRetryForever, storageForceSnapshotInterval, memoryDownloadedSnapshots,
                memoryDecompressedSnapshots, onlyOnce);
    }

    /** This config with other log settings ({@code --log-level}, {@code --log-format}). */
    public ThunderstreamConfig withLog(LogConfig log) {
        return new ThunderstreamConfig(instance, lmdbs, sweeper, storage, http, log, health, lmdbPollInterval,
                lmdbLogStatsInterval, lmdbScrapeSmaps, storagePollInterval, storageRetryInterval, storageRetryCount,
                storageRetryForever, storageForceSnapshotInterval, memoryDownloadedSnapshots,
                memoryDecompressedSnapshots, onlyOnce);
    }

    /** This config with only the named LMDBs ({@code --only-db}), in config order; an unknown name is an error. */
    public ThunderstreamConfig withOnlyLmdbs(Collection<String> names) {
        for (String name : names) {
            if (!lmdbs.containsKey(name)) {
                throw new ConfigException("lmdbs: no LMDB named \"" + name + "\"; configured: " + String.join(", ", lmdbs.keySet()));
            }
        }
        Map<String, LmdbConfig> only = new LinkedHashMap<>(lmdbs);
        only.keySet().retainAll(names);
        return new ThunderstreamConfig(instance, only, sweeper, storage, http, log, health,
                lmdbPollInterval, lmdbLogStatsInterval, lmdbScrapeSmaps, storagePollInterval, storageRetryInterval,
                storageRetryCount, storageRetryForever, storageForceSnapshotInterval, memoryDownloadedSnapshots,
                memoryDecompressedSnapshots, onlyOnce);
    }
}
