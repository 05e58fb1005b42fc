package io.thunderstream.engine.config;

import com.fasterxml.jackson.core.JsonToken;
import io.thunderstream.api.ConfigValues;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.engine.config.YamlNode.Mapping;
import io.thunderstream.engine.config.YamlNode.Scalar;
import io.thunderstream.engine.config.YamlNode.Sequence;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a YAML config onto {@link ThunderstreamConfig}: every key LS knows, its default when
 * absent or null, and an error naming the YAML path for an unknown key or a value that does not
 * read. Reading goes on after an error, so that all problems are reported at once.
 */
final class ConfigReader {

    /** A URL with nothing after {@code scheme://}, which Java's URI does not read. */
    private static final Pattern NO_LOCATION = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://");

    private final List<String> problems = new ArrayList<>();

    private ConfigReader() {
    }

    static ThunderstreamConfig read(String yaml, Map<String, String> environment, String source) {
        YamlNode root;
        try {
            root = YamlNode.parse(EnvironmentExpansion.expand(yaml, environment));
        } catch (ConfigException e) {
            throw new ConfigException(source, e.problems());
        }
        ConfigReader reader = new ConfigReader();
        ThunderstreamConfig config = reader.readRoot(root);
        reader.problems.addAll(ConfigChecks.problems(config));
        if (!reader.problems.isEmpty()) {
            throw new ConfigException(source, reader.problems);
        }
        return config;
    }

    private ThunderstreamConfig readRoot(YamlNode root) {
        Section top = root == null ? new Section("", null) : section("", root);
        String instance = top.value("instance", ConfigReader::parseInstance).orElse("");
        if (instance.isEmpty()) {
            instance = HostName.get(); // as LS: an empty instance means the host name
        }
        Map<String, LmdbConfig> lmdbs = readLmdbs(top.node("lmdbs"));
        SweeperConfig sweeper = readSweeper(top.section("sweeper"));
        StorageSettings storage = readStorage(top.section("storage"));
        Section http = top.section("http");
        HttpConfig httpConfig = new HttpConfig(http.string("address", ""));
        http.finish();
        LogConfig log = readLog(top.section("log"));
        HealthConfig health = readHealth(top.section("health"));
        ThunderstreamConfig config = new ThunderstreamConfig(instance, lmdbs, sweeper, storage, httpConfig, log, health,
                top.duration("lmdb_poll_interval", ThunderstreamConfig.DEFAULT_LMDB_POLL_INTERVAL),
                top.duration("lmdb_log_stats_interval", ThunderstreamConfig.DEFAULT_LMDB_LOG_STATS_INTERVAL),
                top.bool("lmdb_scrape_smaps", true),
                top.duration("storage_poll_interval", ThunderstreamConfig.DEFAULT_STORAGE_POLL_INTERVAL),
                top.duration("storage_retry_interval", ThunderstreamConfig.DEFAULT_STORAGE_RETRY_INTERVAL),
                top.integer("storage_retry_count", ThunderstreamConfig.DEFAULT_STORAGE_RETRY_COUNT),
                top.bool("storage_retry_forever", false),
                top.duration("storage_force_snapshot_interval", ThunderstreamConfig.DEFAULT_STORAGE_FORCE_SNAPSHOT_INTERVAL),
                top.integer("memory_downloaded_snapshots", ThunderstreamConfig.DEFAULT_MEMORY_DOWNLOADED_SNAPSHOTS),
                top.integer("memory_decompressed_snapshots", ThunderstreamConfig.DEFAULT_MEMORY_DECOMPRESSED_SNAPSHOTS),
                top.bool("only_once", false));
        top.finish();
        return config;
    }

    private Map<String, LmdbConfig> readLmdbs(YamlNode node) {
        Map<String, LmdbConfig> lmdbs = new LinkedHashMap<>();
        if (node == null) {
            return lmdbs; // reported by ConfigChecks as "no LMDBs configured"
        }
        if (!(node instanceof Mapping mapping)) {
            problem("lmdbs", node, "expected a mapping of LMDB names to their settings, got " + node.describe());
            return lmdbs;
        }
        mapping.entries().forEach((name, value) -> lmdbs.put(name, readLmdb(name, section("lmdbs." + name, value))));
        return lmdbs;
    }

    private LmdbConfig readLmdb(String name, Section lmdb) {
        Section options = lmdb.section("options");
        LmdbOptions lmdbOptions = new LmdbOptions(
                options.bool("no_subdir", false),
                options.bool("create", false),
                options.size("map_size", 0),
                zeroMeansDefault(options.integer("max_dbs", 0), LmdbOptions.DEFAULT_MAX_DBS),
                zeroMeansDefault(options.mask("dir_mask"), LmdbOptions.DEFAULT_DIR_MASK),
                zeroMeansDefault(options.mask("file_mask"), LmdbOptions.DEFAULT_FILE_MASK));
        options.finish();
        Map<String, DbiOptions> dbiOptions = new LinkedHashMap<>();
        lmdb.section("dbi_options").eachSection((dbi, section) -> {
            OptionalInt flags = section.value("override_create_flags", DbiOptions::parseFlags)
                    .map(OptionalInt::of).orElse(OptionalInt.empty());
            section.finish();
            dbiOptions.put(dbi, new DbiOptions(flags));
        });
        LmdbConfig config = new LmdbConfig(name, lmdb.string("path", ""), lmdbOptions,
                lmdb.bool("schema_tracks_changes", false), lmdb.bool("dupsort_hack", false),
                lmdb.bool("header_extra_padding_block", false), dbiOptions,
                lmdb.duration("merge_lock_duration", LmdbConfig.DEFAULT_MERGE_LOCK_DURATION));
        lmdb.finish();
        return config;
    }

    private static int zeroMeansDefault(int value, int defaultValue) {
        return value == 0 ? defaultValue : value;
    }

    private SweeperConfig readSweeper(Section sweeper) {
        SweeperConfig d = SweeperConfig.defaults();
        SweeperConfig config = new SweeperConfig(
                sweeper.bool("enabled", d.enabled()),
                sweeper.decimal("retention_days", d.retentionDays()),
                sweeper.duration("interval", d.interval()),
                sweeper.duration("first_interval", d.firstInterval()),
                sweeper.duration("lock_duration", d.lockDuration()),
                sweeper.duration("release_duration", d.releaseDuration()),
                sweeper.duration("retention_load_cutoff_duration", d.retentionLoadCutoffDuration()));
        sweeper.finish();
        return config;
    }

    private StorageSettings readStorage(Section storage) {
        String type = storage.string("type", "");
        String url = storage.string("url", "");
        Map<String, Object> options = storage.freeForm("options");
        // LS's deprecated storage.root_path is moved into the options, as LS does.
        String rootPath = storage.string("root_path", "");
        if (!rootPath.isEmpty()) {
            Object given = options.putIfAbsent("root_path", rootPath);
            if (given != null && !given.toString().equals(rootPath)) {
                problem("storage.root_path", null, "differs from storage.options.root_path; remove the deprecated storage.root_path");
            }
        }
        Section cleanup = storage.section("cleanup");
        CleanupConfig d = CleanupConfig.defaults();
        CleanupConfig cleanupConfig = new CleanupConfig(
                cleanup.bool("enabled", d.enabled()),
                cleanup.duration("interval", d.interval()),
                cleanup.duration("must_keep_interval", d.mustKeepInterval()),
                cleanup.duration("remove_old_instances_interval", d.removeOldInstancesInterval()));
        cleanup.finish();
        storage.finish();
        StorageConfig backend;
        try {
            URI uri = url.isEmpty() ? null : parseUrl(url);
            if (type.isEmpty() && uri == null) {
                problem("storage", null, "no storage configured; set storage.type (with storage.options) or storage.url");
                backend = StorageConfig.of("memory", Map.of());
            } else {
                backend = StorageConfig.of(type, uri, options);
            }
        } catch (StorageConfigException e) {
            problems.add(e.getMessage()); // its messages start with "storage" or "storage.url"
            backend = StorageConfig.of("memory", Map.of());
        }
        return new StorageSettings(backend, cleanupConfig);
    }

    private static URI parseUrl(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new StorageConfigException("storage.url: \"" + Secrets.maskUrl(url) + "\" has no scheme; "
                        + "expected e.g. s3://bucket/prefix?region=eu-west-1 or file:///var/lib/thunderstream");
            }
            return uri;
        } catch (URISyntaxException e) {
            Matcher nothing = NO_LOCATION.matcher(url);
            if (nothing.matches()) {
                throw new StorageConfigException("storage.url: \"" + url + "\" " + namesNoLocation(nothing.group(1)));
            }
            throw new StorageConfigException("storage.url: not a valid URL: " + e.getReason() + " at index " + e.getIndex());
        }
    }

    /**
     * What a URL with nothing after {@code scheme://} lacks, in the words of the built-in backends
     * (which say the same of {@code s3:///prefix}, a URL that Java does read).
     */
    private static String namesNoLocation(String scheme) {
        return switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "file" -> "names no directory; expected file:///absolute/path";
            case "az" -> "names no container; expected az://container/prefix";
            default -> "names no bucket; expected " + scheme + "://bucket/prefix";
        };
    }

    private LogConfig readLog(Section log) {
        LogConfig d = LogConfig.defaults();
        LogConfig config = new LogConfig(
                log.value("level", LogConfig.Level::parse).orElse(d.level()),
                log.value("format", LogConfig.Format::parse).orElse(d.format()),
                log.value("timestamp", LogConfig.Timestamp::parse).orElse(d.timestamp()));
        log.finish();
        return config;
    }

    private HealthConfig readHealth(Section health) {
        HealthConfig config = new HealthConfig(
                readThresholds(health.section("storage_list")),
                readThresholds(health.section("storage_load")),
                readThresholds(health.section("storage_store")),
                readStartHealth(health.section("start")));
        health.finish();
        return config;
    }

    private HealthThresholds readThresholds(Section section) {
        HealthThresholds d = HealthThresholds.defaults();
        HealthThresholds config = new HealthThresholds(
                section.duration("interval", d.interval()),
                section.duration("warn_duration", d.warnDuration()),
                section.duration("error_duration", d.errorDuration()));
        section.finish();
        return config;
    }

    private StartHealthConfig readStartHealth(Section section) {
        StartHealthConfig d = StartHealthConfig.defaults();
        StartHealthConfig config = new StartHealthConfig(
                section.duration("interval", d.interval()),
                section.duration("warn_duration", d.warnDuration()),
                section.duration("error_duration", d.errorDuration()),
                section.bool("report_healthz", d.reportHealthz()),
                section.bool("report_metadata", d.reportMetadata()));
        section.finish();
        return config;
    }

    private void problem(String path, YamlNode node, String message) {
        problems.add((path.isEmpty() ? "(top level)" : path) + ": " + message + (node == null ? "" : " (line " + node.line() + ")"));
    }

    /** A mapping node at a path; null (an empty key) and a missing key read as an empty section. */
    private Section section(String path, YamlNode node) {
        if (node == null || node instanceof Scalar s && s.isNull()) {
            return new Section(path, null);
        }
        if (node instanceof Mapping mapping) {
            return new Section(path, mapping);
        }
        problem(path, node, "expected a mapping, got " + node.describe());
        return new Section(path, null);
    }

    /**
     * One YAML mapping being read. Every key asked for is remembered, so {@link #finish()} can
     * report the keys that no setting asked for, with the list of the known ones.
     */
    private final class Section {
        private final String path;
        private final Mapping mapping;
        private final Set<String> known = new LinkedHashSet<>();

        Section(String path, Mapping mapping) {
            this.path = path;
            this.mapping = mapping;
        }

        private String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        /** The node under a key; null when absent or null. */
        YamlNode node(String key) {
            known.add(key);
            YamlNode node = mapping == null ? null : mapping.entries().get(key);
            return node instanceof Scalar s && s.isNull() ? null : node;
        }

        Section section(String key) {
            return ConfigReader.this.section(at(key), node(key));
        }

        /** Reads every entry of this section as a sub-section (e.g. {@code dbi_options.<dbi>}). */
        void eachSection(java.util.function.BiConsumer<String, Section> reader) {
            if (mapping != null) {
                mapping.entries().forEach((key, value) -> {
                    known.add(key);
                    reader.accept(key, ConfigReader.this.section(at(key), value));
                });
            }
        }

        /**
         * A scalar converted by {@code parse}, whose IllegalArgumentException message becomes the
         * problem's text; empty when absent or unreadable.
         */
        <T> java.util.Optional<T> value(String key, Function<String, T> parse) {
            YamlNode node = node(key);
            if (node == null) {
                return java.util.Optional.empty();
            }
            if (!(node instanceof Scalar scalar)) {
                problem(at(key), node, "expected a single value, got " + node.describe());
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.of(parse.apply(scalar.text()));
            } catch (IllegalArgumentException e) {
                problem(at(key), node, e.getMessage());
                return java.util.Optional.empty();
            }
        }

        String string(String key, String defaultValue) {
            return value(key, text -> text).orElse(defaultValue);
        }

        boolean bool(String key, boolean defaultValue) {
            return value(key, ConfigReader::parseBool).orElse(defaultValue);
        }

        int integer(String key, int defaultValue) {
            return value(key, ConfigReader::parseInteger).orElse(defaultValue);
        }

        double decimal(String key, double defaultValue) {
            return value(key, ConfigReader::parseDecimal).orElse(defaultValue);
        }

        Duration duration(String key, Duration defaultValue) {
            return value(key, ConfigValues::parseDuration).orElse(defaultValue);
        }

        /** A byte size: a YAML number of bytes or text such as {@code 1GB}, {@code 16000MB}. */
        long size(String key, long defaultValue) {
            return value(key, ConfigValues::parseByteSize).orElse(defaultValue);
        }

        /** A file mode: octal with a leading 0 or 0o (as YAML 1.1 and LS read it), else decimal; 0 if absent. */
        int mask(String key) {
            return value(key, ConfigReader::parseMask).orElse(0);
        }

        /** A free-form mapping (storage.options) as Java maps, lists, strings, numbers and booleans. */
        Map<String, Object> freeForm(String key) {
            YamlNode node = node(key);
            Map<String, Object> values = new LinkedHashMap<>();
            if (node == null) {
                return values;
            }
            if (!(node instanceof Mapping mapping)) {
                problem(at(key), node, "expected a mapping, got " + node.describe());
                return values;
            }
            mapping.entries().forEach((k, v) -> {
                Object value = plain(v);
                if (value != null) {
                    values.put(k, value);
                }
            });
            return values;
        }

        /** Reports the keys that no setting asked for. */
        void finish() {
            if (mapping == null) {
                return;
            }
            mapping.entries().forEach((key, node) -> {
                if (!known.contains(key)) {
                    problem(at(key), node, "unknown key; known keys " + (path.isEmpty() ? "at the top level" : "in " + path)
                            + ": " + String.join(", ", known));
                }
            });
        }
    }

    private static Object plain(YamlNode node) {
        if (node instanceof Mapping mapping) {
            Map<String, Object> map = new LinkedHashMap<>();
            mapping.entries().forEach((k, v) -> map.put(k, plain(v)));
            return map;
        }
        if (node instanceof Sequence sequence) {
            return sequence.items().stream().map(ConfigReader::plain).toList();
        }
        Scalar scalar = (Scalar) node;
        JsonToken token = scalar.token();
        try {
            return switch (token) {
                case VALUE_NULL -> null;
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NUMBER_INT -> Long.parseLong(scalar.text());
                case VALUE_NUMBER_FLOAT -> Double.parseDouble(scalar.text());
                default -> scalar.text();
            };
        } catch (NumberFormatException e) {
            return scalar.text(); // YAML number forms Java does not read (0x1F, 1_000): the backend decides
        }
    }

    /** An instance name; empty stays empty (the host name, as in LS), a blank one is refused here, with its line. */
    static String parseInstance(String text) {
        String problem = text.isEmpty() ? null : ConfigChecks.instanceNameProblem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem + "; give a name, or leave instance out for the host name");
        }
        return text;
    }

    /** Booleans as YAML 1.1 (and so LS) reads them, quoted or not. */
    static boolean parseBool(String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "y", "on" -> true;
            case "false", "no", "n", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got \"" + text + "\"");
        };
    }

    static int parseInteger(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            if (text.trim().matches("[+-]?[0-9]+")) {
                throw new IllegalArgumentException(text.trim() + " is out of range (" + (text.trim().startsWith("-")
                        ? "at least " + Integer.MIN_VALUE : "at most " + Integer.MAX_VALUE) + ")");
            }
            throw new IllegalArgumentException("expected an integer, got \"" + text + "\"");
        }
    }

    static double parseDecimal(String text) {
        try {
            double value = Double.parseDouble(text.trim());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a number, got \"" + text + "\"");
    }

    /** A file mode, checked here against 0777 so that the error shows it as written (octal or decimal). */
    static int parseMask(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        boolean octal = s.length() > 1 && s.startsWith("0");
        BigInteger mask;
        try {
            mask = new BigInteger(s.startsWith("0o") ? s.substring(2) : octal ? s.substring(1) : s, octal ? 8 : 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a file mode such as 0775, got \"" + text + "\"");
        }
        if (mask.signum() < 0) {
            throw new IllegalArgumentException(text.trim() + " is negative; write a file mode such as 0775");
        }
        if (mask.compareTo(BigInteger.valueOf(0777)) > 0) {
            throw new IllegalArgumentException(text.trim() + " is above 0777" + (octal ? ""
                    : " as a decimal number; write a file mode in octal, with a leading 0, such as 0775"));
        }
        return mask.intValue();
    }
}
