package io.thunderstream.engine.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MaskedYamlTest {

    private static final String SECRET = "S3cr3t-value";

    @ParameterizedTest
    @CsvSource({
        "access_key, true", "secret_key, true", "account_key, true", "sas_token, true", "db_password, true",
        "client_secret, true", "secret_key_file, true", "api_key, true",
        "access_key_file, false", "account_key_file, false", "region, false", "bucket, false", "key_prefix, false",
    })
    void secretOptionNames(String name, boolean secret) {
        assertThat(Secrets.isSecret(name)).isEqualTo(secret);
    }

    @Test
    void maskedOutputNeverContainsASecret() {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                instance: ns1
                lmdbs: {main: {path: /db}}
                storage:
                  url: s3://user:${SECRET}@bucket/prefix?region=eu&secret_key=${SECRET}&session_token=${SECRET}&x=1
                  options:
                    access_key: ${SECRET}
                    account_key: ${SECRET}
                    my_password: ${SECRET}
                    access_key_file: /etc/keys/access
                    tls: {client_key: ${SECRET}, ca_file: /etc/ca.pem}
                    headers: [{auth_token: ${SECRET}}]
                """, Map.of("SECRET", SECRET));

        String yaml = config.toMaskedYaml();

        assertThat(yaml).doesNotContain(SECRET).doesNotContain("S3cr3t")
                .contains("access_key: '*****'", "my_password: '*****'", "client_key: '*****'", "auth_token: '*****'")
                .contains("access_key_file: /etc/keys/access", "ca_file: /etc/ca.pem", "region: eu")
                .contains("url: s3://user:*****@bucket/prefix?region=eu&secret_key=*****&session_token=*****&x=1");
        assertThat(config.toString()).doesNotContain(SECRET);
    }

    @Test
    void effectiveConfigHasEveryKeyAndLoadsBackEqual() {
        ThunderstreamConfig config = ThunderstreamConfig.parse(ConfigLoadTest.resource("lightningstream-example.yaml")
                .replace("secret_key: minioadmin", "secret_key_file: /etc/s3-secret"), Map.of());

        String yaml = config.toMaskedYaml();

        assertThat(yaml).contains("instance: unique-instance-name", "map_size: 1000MB", "dir_mask: '0775'",
                "file_mask: '0664'", "max_dbs: 64", "merge_lock_duration: 50ms", "retention_days: 370",
                "remove_old_instances_interval: 168h0m0s", "lmdb_log_stats_interval: 5m0s", "storage_retry_count: 100",
                "report_metadata: true", "level: info", "access_key: '*****'");
        ThunderstreamConfig reloaded = ThunderstreamConfig.parse(yaml, Map.of());
        assertThat(reloaded).usingRecursiveComparison().ignoringFields("storage.backend").isEqualTo(config);
        assertThat(reloaded.toMaskedYaml()).isEqualTo(yaml);
    }

    @Test
    void dbiFlagsAndSizesAreWrittenAsLightningStreamReadsThem() {
        assertThat(DbiOptions.formatFlags(0x14)).isEqualTo("MDB_DUPSORT|MDB_DUPFIXED");
        assertThat(DbiOptions.formatFlags(0)).isEqualTo("0");
        assertThat(DbiOptions.parseFlags(DbiOptions.formatFlags(0x7e))).isEqualTo(0x7e);
        assertThat(ConfigWriter.formatSize(16000L << 20)).isEqualTo("16000MB");
        assertThat(ConfigWriter.formatSize(1L << 30)).isEqualTo("1GB");
        assertThat(ConfigWriter.formatSize(4097)).isEqualTo("4097B");
        assertThat(ConfigWriter.formatSize(0)).isEqualTo("0B");
    }
}
