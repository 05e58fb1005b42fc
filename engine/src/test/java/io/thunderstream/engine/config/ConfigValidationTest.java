package io.thunderstream.engine.config;

import io.thunderstream.api.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every mistake is a ConfigException whose message starts with the YAML path of the mistake. */
class ConfigValidationTest {

    private static final String STORAGE = "storage: {type: memory}\n";
    private static final String LMDB = "lmdbs: {main: {path: /db}}\n";

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("unknown top-level key", STORAGE + LMDB + "lmdb_pol_interval: 1s",
                        "lmdb_pol_interval: unknown key; known keys at the top level: instance, lmdbs"),
                Arguments.of("unknown nested key", STORAGE + "lmdbs: {main: {path: /db, options: {mapsize: 1GB}}}",
                        "lmdbs.main.options.mapsize: unknown key; known keys in lmdbs.main.options: no_subdir, create, map_size"),
                Arguments.of("unknown key in dbi_options", STORAGE + "lmdbs: {main: {path: /db, dbi_options: {pdns: {flags: 0}}}}",
                        "lmdbs.main.dbi_options.pdns.flags: unknown key"),
                Arguments.of("unknown key in health", STORAGE + LMDB + "health: {start: {report: true}}",
                        "health.start.report: unknown key"),
                Arguments.of("bad size", STORAGE + "lmdbs:\n  main:\n    path: /db\n    options:\n      map_size: 12QB\n",
                        "lmdbs.main.options.map_size: invalid size \"12QB\"; expected e.g. 1024, 64MB, 16000MB, 1GB (line 6)"),
                Arguments.of("bad duration", STORAGE + LMDB + "storage_poll_interval: 5 minutes",
                        "storage_poll_interval: invalid duration \"5 minutes\""),
                Arguments.of("duration without unit", STORAGE + LMDB + "sweeper: {interval: 30}",
                        "sweeper.interval: invalid duration \"30\""),
                Arguments.of("bad boolean", STORAGE + LMDB + "only_once: maybe",
                        "only_once: expected true or false, got \"maybe\""),
                Arguments.of("bad integer", STORAGE + LMDB + "storage_retry_count: many",
                        "storage_retry_count: expected an integer, got \"many\""),
                Arguments.of("bad number", STORAGE + LMDB + "sweeper: {retention_days: forever}",
                        "sweeper.retention_days: expected a number, got \"forever\""),
                Arguments.of("mapping for a value", STORAGE + LMDB + "instance: {name: x}",
                        "instance: expected a single value, got a mapping"),
                Arguments.of("value for a mapping", STORAGE + LMDB + "sweeper: on",
                        "sweeper: expected a mapping, got \"on\""),
                Arguments.of("lmdbs as a list", STORAGE + "lmdbs: [main]",
                        "lmdbs: expected a mapping of LMDB names to their settings, got a list"),
                Arguments.of("missing lmdbs", STORAGE, "lmdbs: no LMDBs configured"),
                Arguments.of("empty lmdbs", STORAGE + "lmdbs: {}", "lmdbs: no LMDBs configured"),
                Arguments.of("lmdb without path", STORAGE + "lmdbs: {main: {options: {create: true}}}",
                        "lmdbs.main.path: missing"),
                Arguments.of("lmdb with nothing", STORAGE + "lmdbs:\n  main:\n", "lmdbs.main.path: missing"),
                Arguments.of("db name with __", STORAGE + "lmdbs: {a__b: {path: /db}}", "lmdbs.a__b: invalid LMDB name"),
                Arguments.of("db name with a dot", STORAGE + "lmdbs: {pdns.main: {path: /db}}", "lmdbs.pdns.main: invalid LMDB name"),
                Arguments.of("db name ending in _", STORAGE + "lmdbs: {main_: {path: /db}}", "lmdbs.main_: invalid LMDB name"),
                Arguments.of("db name with a space", STORAGE + "lmdbs: {'my db': {path: /db}}", "lmdbs.my db: invalid LMDB name"),
                Arguments.of("empty db name", STORAGE + "lmdbs: {'': {path: /db}}", "lmdbs.: invalid LMDB name"),
                Arguments.of("blank instance", STORAGE + LMDB + "instance: '  '",
                        "instance: blank; give a name, or leave instance out for the host name (line 3)"),
                Arguments.of("two names for one LMDB", STORAGE + "lmdbs: {main: {path: /db}, other: {path: /x/../db/}}",
                        "lmdbs.other.path: the same LMDB as lmdbs.main.path (/x/../db/)"),
                Arguments.of("two names for one data file", STORAGE
                        + "lmdbs: {main: {path: /db/data.mdb, options: {no_subdir: true}}, other: {path: /db}}",
                        "lmdbs.other.path: the same LMDB as lmdbs.main.path (/db)"),
                Arguments.of("instance with control characters", STORAGE + LMDB + "instance: \"a\\tb\"",
                        "instance: contains control characters; give a name, or leave instance out for the host name (line 3)"),
                Arguments.of("decimal mask", STORAGE + "lmdbs: {main: {path: /db, options: {file_mask: 664}}}",
                        "lmdbs.main.options.file_mask: 664 is above 0777 as a decimal number; write a file mode in octal,"
                                + " with a leading 0, such as 0775 (line 2)"),
                Arguments.of("octal mask above 0777", STORAGE + "lmdbs: {main: {path: /db, options: {file_mask: 0o1777}}}",
                        "lmdbs.main.options.file_mask: 0o1777 is above 0777 (line 2)"),
                Arguments.of("negative mask", STORAGE + "lmdbs: {main: {path: /db, options: {dir_mask: -1}}}",
                        "lmdbs.main.options.dir_mask: -1 is negative"),
                Arguments.of("negative max_dbs", STORAGE + "lmdbs: {main: {path: /db, options: {max_dbs: -1}}}",
                        "lmdbs.main.options.max_dbs: must not be negative, got -1 (0 means the default, 64)"),
                Arguments.of("integer out of range", STORAGE + LMDB + "storage_retry_count: 99999999999999999999",
                        "storage_retry_count: 99999999999999999999 is out of range (at most 2147483647) (line 3)"),
                Arguments.of("bad mask", STORAGE + "lmdbs: {main: {path: /db, options: {dir_mask: rwx}}}",
                        "lmdbs.main.options.dir_mask: expected a file mode such as 0775, got \"rwx\""),
                Arguments.of("bad DBI flags", STORAGE + "lmdbs: {main: {path: /db, dbi_options: {x: {override_create_flags: MDB_CREATE}}}}",
                        "lmdbs.main.dbi_options.x.override_create_flags: invalid DBI flag \"MDB_CREATE\""),
                Arguments.of("native with dupsort_hack", STORAGE
                        + "lmdbs: {main: {path: /db, schema_tracks_changes: true, dupsort_hack: true}}",
                        "lmdbs.main.schema_tracks_changes: cannot be used together with dupsort_hack"),
                Arguments.of("bad log level", STORAGE + LMDB + "log: {level: loud}",
                        "log.level: invalid value \"loud\"; must be one of: trace, debug, info, warning, error, fatal, panic"),
                Arguments.of("bad log format", STORAGE + LMDB + "log: {format: xml}", "log.format: invalid value \"xml\""),
                Arguments.of("bad log timestamp", STORAGE + LMDB + "log: {timestamp: iso}", "log.timestamp: invalid value \"iso\""),
                Arguments.of("bad http address", STORAGE + LMDB + "http: {address: '8500'}", "http.address: invalid address \"8500\""),
                Arguments.of("http port out of range", STORAGE + LMDB + "http: {address: ':99999'}",
                        "http.address: port 99999 in \":99999\" is out of range (at most 65535)"),
                Arguments.of("short poll interval", STORAGE + LMDB + "lmdb_poll_interval: 10ms",
                        "lmdb_poll_interval: 10ms is too short; minimum 100ms"),
                Arguments.of("short force interval", STORAGE + LMDB + "storage_force_snapshot_interval: 30s",
                        "storage_force_snapshot_interval: 30s is too short; minimum 1m0s"),
                Arguments.of("no retries", STORAGE + LMDB + "storage_retry_count: 0",
                        "storage_retry_count: positive number required, got 0"),
                Arguments.of("no memory", STORAGE + LMDB + "memory_downloaded_snapshots: 0",
                        "memory_downloaded_snapshots: positive number required"),
                Arguments.of("sweeper without retention", STORAGE + LMDB + "sweeper: {enabled: true, retention_days: 0}",
                        "sweeper.retention_days: must be more than 0 when the sweeper is enabled"),
                Arguments.of("negative retention", STORAGE + LMDB + "sweeper: {retention_days: -3}",
                        "sweeper.retention_days: must be more than 0, got -3"),
                Arguments.of("no storage", LMDB, "storage: no storage configured; set storage.type (with storage.options) or storage.url"),
                Arguments.of("storage url without scheme", LMDB + "storage: {url: 'bucket/prefix'}",
                        "storage.url: \"bucket/prefix\" has no scheme"),
                Arguments.of("storage url that does not parse", LMDB + "storage: {url: 's3://b/p q'}",
                        "storage.url: not a valid URL"),
                Arguments.of("storage url with no bucket", LMDB + "storage: {url: 's3://'}",
                        "storage.url: \"s3://\" names no bucket; expected s3://bucket/prefix"),
                Arguments.of("storage url with no container", LMDB + "storage: {url: 'az://'}",
                        "storage.url: \"az://\" names no container; expected az://container/prefix"),
                Arguments.of("file url with no directory", LMDB + "storage: {url: 'file://'}",
                        "storage.url: \"file://\" names no directory; expected file:///absolute/path"),
                Arguments.of("storage option twice, different", LMDB
                        + "storage: {url: 's3://b/p?region=x', options: {region: y}}",
                        "storage: option region is given both in storage.options and in storage.url with different values"),
                Arguments.of("storage options as a list", LMDB + "storage: {type: s3, options: [a]}",
                        "storage.options: expected a mapping, got a list"),
                Arguments.of("unknown storage key", LMDB + "storage: {type: s3, bucket: b}",
                        "storage.bucket: unknown key; known keys in storage: type, url, options, root_path, cleanup"),
                Arguments.of("duplicate key", STORAGE + LMDB + "only_once: true\nonly_once: false",
                        "only_once: key given twice (line 4)"),
                Arguments.of("YAML syntax", "lmdbs: [\n  b: :", "not valid YAML"),
                Arguments.of("YAML alias", STORAGE + "lmdbs: {main: {path: &p /db}, shard: {path: *p}}",
                        "lmdbs.shard.path: YAML aliases (*p) are not supported"),
                Arguments.of("not a mapping at all", "just text", "(top level): expected a mapping, got \"just text\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakeIsReportedWithItsYamlPath(String name, String yaml, String expected) {
        assertThatThrownBy(() -> ThunderstreamConfig.parse(yaml, Map.of("HOSTNAME", "h")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p).startsWith(expected)));
    }

    @Test
    void allMistakesAreReportedTogether() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ThunderstreamConfig.parse("""
                instance: ns1
                lmdbs:
                  main:
                    options:
                      map_size: 12QB
                  bad.name:
                    path: /db
                sweeper:
                  interval: often
                storage:
                  type: s3
                colour: blue
                """, Map.of()));

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("lmdbs.main.options.map_size: invalid size \"12QB\""))
                .anySatisfy(p -> assertThat(p).startsWith("lmdbs.main.path: missing"))
                .anySatisfy(p -> assertThat(p).startsWith("lmdbs.bad.name: invalid LMDB name"))
                .anySatisfy(p -> assertThat(p).startsWith("sweeper.interval: invalid duration \"often\""))
                .anySatisfy(p -> assertThat(p).startsWith("colour: unknown key"));
        assertThat(e.getMessage()).startsWith("config: 5 problems:\n  ");
    }

    /** In code there is no YAML text to quote: a mode shows in octal, and max_dbs 0 is no default. */
    @Test
    void aConfigBuiltInCodeIsCheckedToo() {
        LmdbConfig lmdb = LmdbConfig.of("main", "/db").withOptions(new LmdbOptions(false, false, 0, 0, 0775, 01777));
        assertThatThrownBy(() -> ThunderstreamConfig.of("a", StorageSettings.of(StorageConfig.of("memory", Map.of())), List.of(lmdb)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "lmdbs.main.options.max_dbs: must be at least 1",
                        "lmdbs.main.options.file_mask: 01777 is above 0777"));
    }

    @Test
    void anLmdbReachedThroughASymbolicLinkIsTheSameLmdb(@TempDir Path dir) throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThatThrownBy(() -> ThunderstreamConfig.parse(STORAGE + "lmdbs: {main: {path: '" + real + "'}, other: {path: '"
                + link + "'}}", Map.of("HOSTNAME", "h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lmdbs.other.path: the same LMDB as lmdbs.main.path");
        assertThat(ThunderstreamConfig.parse(STORAGE + "lmdbs: {main: {path: '" + real + "'}, other: {path: '"
                + link.resolveSibling("elsewhere") + "'}}", Map.of("HOSTNAME", "h")).lmdbs()).hasSize(2);
    }

    @Test
    void fileErrorsNameTheFile() {
        Path missing = Path.of("no-such-dir", "thunderstream.yaml");
        assertThatThrownBy(() -> ThunderstreamConfig.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read config file " + missing);
    }
}
