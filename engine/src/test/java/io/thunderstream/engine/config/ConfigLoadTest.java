package io.thunderstream.engine.config;

import io.thunderstream.api.StorageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoadTest {

    static final String MINIMAL = """
            storage:
              type: memory
            lmdbs:
              main:
                path: /tmp/db
            """;

    static String resource(String name) {
        try (InputStream in = ConfigLoadTest.class.getResourceAsStream("/config/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void lightningStreamExampleLoads() {
        ThunderstreamConfig config = ThunderstreamConfig.parse(resource("lightningstream-example.yaml"), Map.of());

        assertThat(config.instance()).isEqualTo("unique-instance-name");
        assertThat(config.lmdbLogStatsInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.lmdbs()).containsOnlyKeys("main", "shard");
        assertThat(List.copyOf(config.lmdbs().keySet())).containsExactly("main", "shard");

        LmdbConfig main = config.lmdbs().get("main");
        assertThat(main.name()).isEqualTo("main");
        assertThat(main.path()).isEqualTo("/path/to/pdns.lmdb");
        assertThat(main.options()).isEqualTo(new LmdbOptions(true, true, 1000L << 20, 64, 0775, 0664));
        assertThat(main.schemaTracksChanges()).isTrue();
        assertThat(main.dupsortHack()).isFalse();
        assertThat(main.dbiOptions()).isEmpty();
        assertThat(config.lmdbs().get("shard").path()).isEqualTo("/path/to/pdns.lmdb-0");

        StorageConfig storage = config.storage().backend();
        assertThat(storage.type()).contains("s3");
        assertThat(storage.url()).isEmpty();
        assertThat(storage.options()).containsEntry("access_key", "minioadmin")
                .containsEntry("secret_key", "minioadmin").containsEntry("region", "us-east-1")
                .containsEntry("bucket", "lightningstream").containsEntry("endpoint_url", "http://localhost:9000");
        assertThat(config.storage().cleanup()).isEqualTo(new CleanupConfig(true, Duration.ofMinutes(5),
                Duration.ofMinutes(10), Duration.ofHours(168)));

        assertThat(config.http().address()).isEqualTo(":8500");
        assertThat(config.http().port()).isEqualTo(8500);
        assertThat(config.http().host()).isEmpty();
        assertThat(config.log()).isEqualTo(new LogConfig(LogConfig.Level.INFO, LogConfig.Format.HUMAN,
                LogConfig.Timestamp.SHORT));
        assertThat(config.sweeper()).isEqualTo(SweeperConfig.defaults());
        assertThat(config.health()).isEqualTo(HealthConfig.defaults());
    }

    @Test
    void lightningStreamPowerDnsDockerExampleLoadsWithItsEnvironment() {
        ThunderstreamConfig config = ThunderstreamConfig.parse(resource("lightningstream-docker-pdns.yaml"),
                Map.of("instance", "1"));

        assertThat(config.instance()).isEqualTo("instance-1");
        assertThat(config.lmdbs().get("main").path()).isEqualTo("/lmdb/instance-1/db");
        assertThat(config.lmdbs().get("shard").path()).isEqualTo("/lmdb/instance-1/db-0");
        assertThat(config.lmdbs().get("shard").options().noSubdir()).isTrue();
        assertThat(config.lmdbs().get("shard").options().mapSize()).isZero();
        assertThat(config.lmdbs().get("shard").options().mapSizeForOpen()).isEqualTo(1L << 30);
        assertThat(config.sweeper()).isEqualTo(new SweeperConfig(true, 3650, Duration.ofHours(6),
                Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ZERO));
        assertThat(config.storage().backend().type()).contains("azure");
        assertThat(config.storage().backend().options()).containsEntry("use_shared_key", true)
                .containsEntry("account_key", "key1");
        assertThat(config.storage().cleanup().mustKeepInterval()).isEqualTo(Duration.ofHours(24));
        assertThat(config.storagePollInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void defaultsMatchLightningStream() {
        ThunderstreamConfig config = ThunderstreamConfig.parse(MINIMAL, Map.of());

        assertThat(config.instance()).isEqualTo(HostName.get()).isNotEmpty();
        assertThat(config.lmdbPollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.lmdbLogStatsInterval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.lmdbScrapeSmaps()).isTrue();
        assertThat(config.storagePollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.storageRetryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.storageRetryCount()).isEqualTo(100);
        assertThat(config.storageRetryForever()).isFalse();
        assertThat(config.storageForceSnapshotInterval()).isEqualTo(Duration.ofHours(4));
        assertThat(config.memoryDownloadedSnapshots()).isEqualTo(2);
        assertThat(config.memoryDecompressedSnapshots()).isEqualTo(3);
        assertThat(config.onlyOnce()).isFalse();
        assertThat(config.http().enabled()).isFalse();
        assertThat(config.log()).isEqualTo(new LogConfig(LogConfig.Level.INFO, LogConfig.Format.HUMAN,
                LogConfig.Timestamp.SHORT));

        assertThat(config.sweeper()).isEqualTo(new SweeperConfig(false, 370, Duration.ofHours(6),
                Duration.ofMinutes(10), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ZERO));
        assertThat(config.storage().cleanup()).isEqualTo(new CleanupConfig(false, Duration.ofMinutes(5),
                Duration.ofMinutes(10), Duration.ofHours(168)));
        HealthThresholds storage = new HealthThresholds(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(5));
        assertThat(config.health()).isEqualTo(new HealthConfig(storage, storage, storage,
                new StartHealthConfig(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(5), false, true)));

        LmdbConfig main = config.lmdbs().get("main");
        assertThat(main.options()).isEqualTo(new LmdbOptions(false, false, 0, 64, 0775, 0664));
        assertThat(main.schemaTracksChanges()).isFalse();
        assertThat(main.dupsortHack()).isFalse();
        assertThat(main.headerExtraPaddingBlock()).isFalse();
        assertThat(main.mergeLockDuration()).isEqualTo(Duration.ofMillis(50));
        assertThat(main).isEqualTo(LmdbConfig.of("main", "/tmp/db"));
    }

    @Test
    void configBuiltInCodeEqualsTheLoadedOne() {
        ThunderstreamConfig built = ThunderstreamConfig.of("a", StorageSettings.of(StorageConfig.of("memory", Map.of())),
                List.of(LmdbConfig.of("main", "/tmp/db")));
        ThunderstreamConfig loaded = ThunderstreamConfig.parse("instance: a\n" + MINIMAL, Map.of());
        // StorageConfig has no equals: compare the rest as records and everything as effective YAML
        assertThat(loaded).usingRecursiveComparison().ignoringFields("storage.backend").isEqualTo(built);
        assertThat(loaded.toMaskedYaml()).isEqualTo(built.toMaskedYaml());
    }

    @Test
    void sweeperRetentionAsLightningStreamComputesIt() {
        SweeperConfig sweeper = SweeperConfig.defaults();
        assertThat(sweeper.retention()).isEqualTo(Duration.ofDays(370));
        assertThat(sweeper.retentionMinusCutoff()).isEqualTo(Duration.ofDays(370).minus(Duration.ofDays(370).dividedBy(100)));
        SweeperConfig withCutoff = new SweeperConfig(true, 1, Duration.ofHours(6), Duration.ofMinutes(10),
                Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofHours(23));
        assertThat(withCutoff.retentionMinusCutoff()).isEqualTo(Duration.ofHours(6)); // capped at 75 %
        assertThat(ThunderstreamConfig.parse(MINIMAL + "sweeper:\n  retention_days: 0.5\n", Map.of())
                .sweeper().retention()).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void valuesInTheirYamlForms() {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                instance: ${NAME}
                lmdbs:
                  main:
                    path: ${DATA:-/var/lib/data}/main
                    options:
                      map_size: 1073741824
                      dir_mask: 0o750
                      file_mask: 0640
                      max_dbs: 0          # 0 means the default, as in LS
                      create: yes
                    merge_lock_duration: 0
                    dbi_options:
                      domains:
                        override_create_flags: MDB_INTEGERKEY
                      domains_0:
                        override_create_flags: dupsort|DupFixed
                      pdns:
                        override_create_flags: 0
                      records:
                        override_create_flags: 0x04, 0x10
                  other-db_1:
                    path: "/x"
                    options:
                      map_size: 16000MB
                storage:
                  type: s3
                  root_path: /ignored/by/s3
                  options: {bucket: b, create_bucket: true, tls: {insecure_skip_verify: false}}
                lmdb_poll_interval: 1m30s
                storage_retry_count: "7"
                storage_retry_forever: true
                storage_force_snapshot_interval: 0
                log:
                  level: warn
                  format: json
                  timestamp: ""
                health:
                  storage_list:
                    interval: 100ms
                """, Map.of("NAME", "ns1.example.com"));

        assertThat(config.instance()).isEqualTo("ns1.example.com");
        LmdbConfig main = config.lmdbs().get("main");
        assertThat(main.path()).isEqualTo("/var/lib/data/main");
        assertThat(main.options()).isEqualTo(new LmdbOptions(false, true, 1L << 30, 64, 0750, 0640));
        assertThat(main.mergeLockDuration()).isZero();
        assertThat(main.dbiOptions("domains").overrideCreateFlags()).isEqualTo(OptionalInt.of(0x08));
        assertThat(main.dbiOptions("domains_0").overrideCreateFlags()).isEqualTo(OptionalInt.of(0x14));
        assertThat(main.dbiOptions("pdns").overrideCreateFlags()).isEqualTo(OptionalInt.of(0));
        assertThat(main.dbiOptions("records").overrideCreateFlags()).isEqualTo(OptionalInt.of(0x14));
        assertThat(main.dbiOptions("keydata").overrideCreateFlags()).isEmpty();
        assertThat(config.lmdbs().get("other-db_1").options().mapSize()).isEqualTo(16000L << 20);
        assertThat(config.storage().backend().options()).containsEntry("bucket", "b")
                .containsEntry("create_bucket", true).containsEntry("root_path", "/ignored/by/s3")
                .containsEntry("tls", Map.of("insecure_skip_verify", false));
        assertThat(config.lmdbPollInterval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.storageRetryCount()).isEqualTo(7);
        assertThat(config.storageRetryForever()).isTrue();
        assertThat(config.storageForceSnapshotInterval()).isZero();
        assertThat(config.log()).isEqualTo(new LogConfig(LogConfig.Level.WARNING, LogConfig.Format.JSON,
                LogConfig.Timestamp.SHORT));
        assertThat(config.health().storageList().interval()).isEqualTo(Duration.ofSeconds(1)); // raised, as LS does
    }

    @Test
    void storageUrlWithOptions() {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                lmdbs: {main: {path: /db}}
                storage:
                  url: s3://bucket/prefix?region=eu-west-1&endpoint_url=http%3A%2F%2Flocalhost%3A9000
                  options:
                    access_key: AK
                """, Map.of());
        StorageConfig storage = config.storage().backend();
        assertThat(storage.type()).isEmpty();
        assertThat(storage.url()).contains(URI.create("s3://bucket/prefix?region=eu-west-1&endpoint_url=http%3A%2F%2Flocalhost%3A9000"));
        assertThat(storage.options()).containsEntry("region", "eu-west-1")
                .containsEntry("endpoint_url", "http://localhost:9000").containsEntry("access_key", "AK");
    }

    @Test
    void environmentReferencesThatAreUnsetBecomeEmpty() {
        ThunderstreamConfig config = ThunderstreamConfig.parse("instance: ${UNSET}\n" + MINIMAL, Map.of());
        assertThat(config.instance()).isEqualTo(HostName.get()); // empty instance: the host name, as LS
    }

    @Test
    void aConfigFileThatDoesNotReadIsNamedWithWhatIsWrong(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.yaml");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), "instance: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> ThunderstreamConfig.load(missing, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read config file " + missing + ": no such file or directory");
        assertThatThrownBy(() -> ThunderstreamConfig.load(dir, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read config file " + dir + ": is a directory");
        assertThatThrownBy(() -> ThunderstreamConfig.load(latin1, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("cannot read config file " + latin1 + ": not UTF-8 text");
    }

    @Test
    void commandLineOverrides() {
        ThunderstreamConfig config = ThunderstreamConfig.parse(MINIMAL.replace("lmdbs:", """
                lmdbs:
                  shard:
                    path: /tmp/shard""" + "\n"), Map.of());

        ThunderstreamConfig overridden = config.withInstance("ns2").withOnlyOnce(true)
                .withLog(config.log().withLevel(LogConfig.Level.parse("DEBUG")).withFormat(LogConfig.Format.parse("logfmt")));
        assertThat(overridden.instance()).isEqualTo("ns2");
        assertThat(overridden.onlyOnce()).isTrue();
        assertThat(overridden.log().level()).isEqualTo(LogConfig.Level.DEBUG);
        assertThat(overridden.log().format()).isEqualTo(LogConfig.Format.LOGFMT);
        assertThat(overridden.lmdbs()).isEqualTo(config.lmdbs());
        assertThat(overridden.withOnlyLmdbs(List.of("main")).lmdbs()).containsOnlyKeys("main");
        assertThat(overridden.withOnlyLmdbs(List.of("main", "shard")).lmdbs().keySet()).as("config order")
                .containsExactly("shard", "main");

        assertThatThrownBy(() -> config.withInstance(" ")).isInstanceOf(ConfigException.class)
                .hasMessage("config: instance: blank");
        assertThat(ThunderstreamConfig.instanceNameProblem("")).contains("empty");
        assertThat(ThunderstreamConfig.instanceNameProblem("ns1")).isEmpty();
        assertThatThrownBy(() -> config.withOnlyLmdbs(List.of("main", "nope"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no LMDB named \"nope\"; configured: shard, main");
        assertThatThrownBy(() -> LogConfig.Format.parse("xml")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("human, logfmt, json");
    }

    @Test
    void distributionExamplesLoad() {
        Path dir = Path.of("..", "distribution", "src", "config");
        ThunderstreamConfig demo = ThunderstreamConfig.load(dir.resolve("thunderstream.yaml"), Map.of());
        assertThat(demo.instance()).isEqualTo("demo");
        assertThat(demo.lmdbs().get("main").path()).isEqualTo("./data/lmdb/main");
        assertThat(demo.lmdbs().get("main").options().create()).isTrue();
        assertThat(demo.storage().backend().type()).contains("fs");
        assertThat(demo.storage().backend().options()).containsEntry("root_path", "./data/bucket");

        ThunderstreamConfig pdns = ThunderstreamConfig.load(dir.resolve("pdns.yaml"),
                Map.of("INSTANCE", "ns1", "S3_ACCESS_KEY", "AK", "S3_SECRET_KEY", "SK"));
        assertThat(pdns.lmdbs().get("main").path()).isEqualTo("/var/lib/powerdns/pdns.lmdb");
        assertThat(pdns.lmdbs().get("shard").path()).isEqualTo("/var/lib/powerdns/pdns.lmdb-0");
        assertThat(pdns.lmdbs().values()).allSatisfy(lmdb -> {
            assertThat(lmdb.options().noSubdir()).isTrue();
            assertThat(lmdb.options().mapSize()).isEqualTo(16000L << 20);
            assertThat(lmdb.schemaTracksChanges()).isTrue();
        });
        assertThat(pdns.storage().backend().url()).contains(URI.create("s3://lightningstream/pdns?region=eu-west-1"));
        assertThat(pdns.storage().backend().options()).containsEntry("secret_key", "SK");

        ThunderstreamConfig pdns47 = ThunderstreamConfig.load(dir.resolve("pdns47.yaml"),
                Map.of("INSTANCE", "ns1", "S3_ACCESS_KEY", "AK", "S3_SECRET_KEY", "SK"));
        assertThat(pdns47.lmdbs().keySet()).containsExactlyInAnyOrder("main", "shard");
        assertThat(pdns47.lmdbs().values()).allSatisfy(lmdb -> {
            assertThat(lmdb.options().noSubdir()).isTrue();
            assertThat(lmdb.options().mapSize()).isEqualTo(16000L << 20);
            assertThat(lmdb.schemaTracksChanges()).isFalse();
            assertThat(lmdb.dupsortHack()).isTrue();
        });
        assertThat(pdns47.storage().backend().options()).containsEntry("bucket", "lightningstream");
    }
}
