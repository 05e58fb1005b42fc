package io.thunderstream.engine.config;

import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.thunderstream.api.ConfigValues.formatDuration;

/**
 * The checks of a complete config: LS's own ({@code Config.Check}) and the ones Thunderstream adds
 * for names that must fit in snapshot names. Each problem starts with its YAML path.
 */
final class ConfigChecks {

    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration MIN_FORCE_SNAPSHOT_INTERVAL = Duration.ofMinutes(1);

    private ConfigChecks() {
    }

    static List<String> problems(ThunderstreamConfig config) {
        List<String> problems = new ArrayList<>();
        checkInstance(config.instance(), problems);
        if (config.lmdbs().isEmpty()) {
            problems.add("lmdbs: no LMDBs configured; add at least one, e.g. lmdbs.main.path");
        }
        config.lmdbs().forEach((name, lmdb) -> checkLmdb(name, lmdb, problems));
        checkDistinctPaths(config.lmdbs(), problems);
        checkSweeper(config.sweeper(), problems);
        checkHttpAddress(config.http().address(), problems);
        atLeast("lmdb_poll_interval", config.lmdbPollInterval(), MIN_POLL_INTERVAL, problems);
        atLeast("storage_poll_interval", config.storagePollInterval(), MIN_POLL_INTERVAL, problems);
        atLeast("storage_retry_interval", config.storageRetryInterval(), MIN_POLL_INTERVAL, problems);
        if (!config.storageForceSnapshotInterval().isZero()) {
            atLeast("storage_force_snapshot_interval", config.storageForceSnapshotInterval(),
                    MIN_FORCE_SNAPSHOT_INTERVAL, problems);
        }
        positive("storage_retry_count", config.storageRetryCount(), problems);
        positive("memory_downloaded_snapshots", config.memoryDownloadedSnapshots(), problems);
        positive("memory_decompressed_snapshots", config.memoryDecompressedSnapshots(), problems);
        return problems;
    }

    /**
     * Snapshot names carry the instance sanitised to [A-Za-z0-9-] (host names with dots are
     * fine), so only a name that would sanitise to nothing useful is refused.
     */
    private static void checkInstance(String instance, List<String> problems) {
        String problem = instanceNameProblem(instance);
        if (problem != null) {
            // Empty here means the config had none and the host has no name either.
            problems.add("instance: " + problem + (instance.isEmpty() ? "; set instance, pass -i, or give this host a name" : ""));
        }
    }

    /** What is wrong with an instance name: {@code empty}, {@code blank}, {@code contains control characters}; null if nothing. */
    static String instanceNameProblem(String instance) {
        if (instance.isEmpty()) {
            return "empty";
        }
        if (instance.isBlank()) {
            return "blank";
        }
        return instance.chars().anyMatch(Character::isISOControl) ? "contains control characters" : null;
    }

    private static void checkLmdb(String name, LmdbConfig lmdb, List<String> problems) {
        String at = "lmdbs." + name;
        if (!name.equals(lmdb.name())) {
            problems.add(at + ": filed under a different name than its own (" + lmdb.name() + ")");
        }
        if (!SnapshotName.isDatabase(name)) {
            problems.add(at + ": invalid LMDB name \"" + name + "\"; use letters, digits, - and _ "
                    + "(no \"__\", not ending in \"_\": snapshot names are <db>__<instance>__...)");
        }
        if (lmdb.path().isEmpty()) {
            problems.add(at + ".path: missing; set the LMDB's directory (or its data file with options.no_subdir)");
        }
        LmdbOptions options = lmdb.options();
        if (options.mapSize() < 0) {
            problems.add(at + ".options.map_size: must not be negative");
        }
        if (options.maxDbs() < 0) {
            problems.add(at + ".options.max_dbs: must not be negative, got " + options.maxDbs()
                    + " (0 means the default, " + LmdbOptions.DEFAULT_MAX_DBS + ")");
        } else if (options.maxDbs() == 0) {
            problems.add(at + ".options.max_dbs: must be at least 1"); // built in code: the YAML's 0 is the default
        }
        checkMask(at + ".options.dir_mask", options.dirMask(), problems);
        checkMask(at + ".options.file_mask", options.fileMask(), problems);
        if (lmdb.schemaTracksChanges() && lmdb.dupsortHack()) {
            problems.add(at + ".schema_tracks_changes: cannot be used together with dupsort_hack");
        }
        if (lmdb.mergeLockDuration().isNegative()) {
            problems.add(at + ".merge_lock_duration: must not be negative");
        }
        lmdb.dbiOptions().keySet().stream().filter(String::isEmpty)
                .forEach(dbi -> problems.add(at + ".dbi_options: empty DBI name"));
    }

    /**
     * Two names for one LMDB: LMDB forbids opening an environment twice in a process, and both
     * would store its data as snapshots of their own.
     */
    private static void checkDistinctPaths(Map<String, LmdbConfig> lmdbs, List<String> problems) {
        Map<Path, String> seen = new HashMap<>();
        lmdbs.forEach((name, lmdb) -> {
            if (lmdb.path().isEmpty()) {
                return;
            }
            String first = seen.putIfAbsent(realDataFile(lmdb), name);
            if (first != null) {
                problems.add("lmdbs." + name + ".path: the same LMDB as lmdbs." + first + ".path (" + lmdb.path() + ")");
            }
        });
    }

    /** The data file with its directory's symbolic links resolved where it exists. */
    private static Path realDataFile(LmdbConfig lmdb) {
        Path file = lmdb.dataFile().toAbsolutePath().normalize();
        try {
            return file.getParent().toRealPath().resolve(file.getFileName());
        } catch (IOException e) {
            return file; // not there yet: created later, under this very path
        }
    }

    /** For a config built in code: ConfigReader refuses a YAML mode out of range with the text as written. */
    private static void checkMask(String at, int mask, List<String> problems) {
        if (mask < 0) {
            problems.add(at + ": " + mask + " is negative; write a file mode such as 0775");
        } else if (mask > 0777) {
            problems.add(at + ": 0" + Integer.toOctalString(mask) + " is above 0777");
        }
    }

    /** 0 is refused only when the sweeper is enabled; a negative number always. */
    private static void checkSweeper(SweeperConfig sweeper, List<String> problems) {
        double days = sweeper.retentionDays();
        if (days == 0 && sweeper.enabled()) {
            problems.add("sweeper.retention_days: must be more than 0 when the sweeper is enabled");
        } else if (days != 0 && !(days > 0 && Double.isFinite(days))) {
            problems.add("sweeper.retention_days: must be more than 0, got " + String.valueOf(days).replaceFirst("\\.0$", ""));
        }
    }

    /** LS accepts what Go's net.SplitHostPort accepts: host:port, [v6]:port, :port. */
    private static void checkHttpAddress(String address, List<String> problems) {
        if (address.isEmpty()) {
            return;
        }
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? "" : address.substring(0, colon);
        String port = colon < 0 ? "" : address.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (colon < 0 || (host.contains(":") && !bracketed) || !port.matches("[0-9]+")) {
            problems.add("http.address: invalid address \"" + address + "\"; expected host:port, e.g. :8500 or 127.0.0.1:8500");
        } else if (port.length() > 5 || Integer.parseInt(port) > 65535) {
            problems.add("http.address: port " + port + " in \"" + address + "\" is out of range (at most 65535)");
        }
    }

    private static void atLeast(String at, Duration value, Duration minimum, List<String> problems) {
        if (value.compareTo(minimum) < 0) {
            problems.add(at + ": " + formatDuration(value) + " is too short; minimum " + formatDuration(minimum));
        }
    }

    private static void positive(String at, int value, List<String> problems) {
        if (value < 1) {
            problems.add(at + ": positive number required, got " + value);
        }
    }
}
