package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.TestCertificate;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The URL and YAML forms, defaults, option checks and secret masking. */
class S3ConfigTest {

    private S3ProxyServer server;
    private String bucket;

    @BeforeEach
    void start() throws Exception {
        server = S3ProxyServer.get();
        bucket = server.newBucket();
    }

    @AfterEach
    void dropBucket() {
        server.deleteBucket(bucket);
    }

    private String url(String path) {
        return "s3://" + bucket + path + "?endpoint_url=" + URLEncoder.encode(server.endpoint(), StandardCharsets.UTF_8)
                + "&access_key=" + S3ProxyServer.ACCESS_KEY + "&secret_key=" + S3ProxyServer.SECRET_KEY;
    }

    @Test
    void urlPathAndGlobalPrefixNameTheSameObjects() throws Exception {
        StorageBackends installed = StorageBackends.discover(getClass().getClassLoader());
        Map<String, Object> yaml = server.options(bucket);
        yaml.put("global_prefix", "env1/");
        try (StorageBackend byUrl = installed.open(StorageConfig.ofUrl(url("/env1")));
             StorageBackend byYaml = installed.open(StorageConfig.of("s3", yaml));
             StorageBackend whole = installed.open(StorageConfig.ofUrl(url("")))) {
            byUrl.write("main__a__x.pb.gz", new byte[] {1, 2, 3});
            assertThat(byYaml.readAllBytes("main__a__x.pb.gz")).containsExactly(1, 2, 3);
            assertThat(byYaml.list("")).extracting(BlobInfo::name).containsExactly("main__a__x.pb.gz");
            // The prefix is invisible to callers, and really is a prefix in the bucket.
            assertThat(whole.list("")).extracting(BlobInfo::name).containsExactly("env1/main__a__x.pb.gz");
            assertThat(server.blobStore.blobExists(bucket, "env1/main__a__x.pb.gz")).isTrue();
        }
    }

    @Test
    void trailingSlashOfTheUrlPathIsOptional() {
        assertThat(S3Options.from(StorageConfig.ofUrl("s3://b/env1")).globalPrefix).isEqualTo("env1/");
        assertThat(S3Options.from(StorageConfig.ofUrl("s3://b/env1/")).globalPrefix).isEqualTo("env1/");
        assertThat(S3Options.from(StorageConfig.ofUrl("s3://b/a/b")).globalPrefix).isEqualTo("a/b/");
        assertThat(S3Options.from(StorageConfig.ofUrl("s3://b")).globalPrefix).isEmpty();
        assertThat(S3Options.from(StorageConfig.ofUrl("s3://b/")).globalPrefix).isEmpty();
        // YAML keeps the prefix as Lightning Stream does: prepended as it is.
        assertThat(S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "global_prefix", "env1-"))).globalPrefix)
                .isEqualTo("env1-");
    }

    @Test
    void defaultsAreLightningStreams() {
        S3Options o = S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b")));
        assertThat(o.region).isEqualTo("us-east-1");
        assertThat(o.secretsRefreshInterval).hasSeconds(15);
        assertThat(o.initTimeout).hasSeconds(20);
        assertThat(o.clientTimeout).hasMinutes(15);
        assertThat(o.dialTimeout).hasSeconds(10);
        assertThat(o.idleConnTimeout).hasSeconds(90);
        assertThat(o.maxIdleConns).isEqualTo(100);
        assertThat(o.updateMarkerForceListInterval).hasMinutes(5);
        assertThat(o.useUpdateMarker).isFalse();
        assertThat(o.createBucket).isFalse();
        assertThat(o.disableContentMd5).isFalse();
        assertThat(o.multipartThreshold).isEqualTo(16L << 20);
        assertThat(o.credentialsSource()).isEqualTo("default AWS credential chain");
    }

    @Test
    void everyOptionWorksAsUrlParameter() {
        S3Options o = S3Options.from(StorageConfig.ofUrl("s3://b/p?region=eu-west-1&create_bucket=true"
                + "&use_update_marker=1&update_marker_force_list_interval=1m&client_timeout=30s&max_idle_conns=7"
                + "&storage_class=STANDARD_IA&disable_send_content_md5=true&tls.insecure_skip_verify=true"
                + "&access_key_file=/run/a&secret_key_file=/run/s&secrets_refresh_interval=2s"));
        assertThat(o.region).isEqualTo("eu-west-1");
        assertThat(o.createBucket).isTrue();
        assertThat(o.useUpdateMarker).isTrue();
        assertThat(o.updateMarkerForceListInterval).hasMinutes(1);
        assertThat(o.clientTimeout).hasSeconds(30);
        assertThat(o.maxIdleConns).isEqualTo(7);
        assertThat(o.storageClass).contains("STANDARD_IA");
        assertThat(o.disableContentMd5).isTrue();
        assertThat(o.tls.insecureSkipVerify()).isTrue();
        assertThat(o.secretsRefreshInterval).hasSeconds(2);
    }

    @Test
    void lightningStreamConfigsWithTheGoClientsTuningOptionsAreAccepted(@TempDir Path dir) throws Exception {
        Path ca = TestCertificate.create(dir).caPem();
        S3Options o = S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "num_minio_threads", 4,
                "dial_keep_alive", "10s", "tls_handshake_timeout", "10s",
                "tls", Map.of("ca_file", ca.toString(), "add_system_ca_pool", true))));
        assertThat(o.tls.trustManagers()).isPresent();
        // The files are read when the config is: a CA file without a certificate fails at start-up.
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b",
                "tls", Map.of("ca_file", "/dev/null"))))).isInstanceOf(StorageConfigException.class)
                .hasMessage("storage (type s3): tls.ca_file holds no PEM certificate");
    }

    /** As in LS (simpleblob, Go's net.Dialer): 0 means the default, and a negative dial_keep_alive turns keep-alive off. */
    @Test
    void zeroMeansTheDefaultAsInLightningStream() {
        S3Options zeros = S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "access_key_file", "/a",
                "secret_key_file", "/s", "secrets_refresh_interval", 0, "dial_keep_alive", "0")));
        assertThat(zeros.secretsRefreshInterval).hasSeconds(15);
        assertThat(zeros.dialKeepAlive).isTrue();
        assertThat(S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "dial_keep_alive", "-1s"))).dialKeepAlive)
                .isFalse();
        assertThat(S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "dial_keep_alive", "30s"))).dialKeepAlive)
                .isTrue();
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "dial_keep_alive", "-soon"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("dial_keep_alive");
        // Without key files the interval is not used, and LS does not check it either.
        assertThat(S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "secrets_refresh_interval", "500ms")))
                .secretsRefreshInterval).hasMillis(500);
    }

    @Test
    void unknownAndConflictingOptionsAreErrors() {
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "acces_key", "x"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("acces_key");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "tls", Map.of("ca_fil", "x")))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("ca_fil");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of())))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("bucket");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "access_key", "a"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("secret_key");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b",
                "access_key_file", "/a", "secret_key_file", "/s", "secrets_refresh_interval", "500ms"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", java.net.URI.create("s3://b1/p"), Map.of("bucket", "b2"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("bucket");
        assertThatThrownBy(() -> S3Options.from(StorageConfig.of("s3", Map.of("bucket", "b", "endpoint_url", "minio:9000"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("endpoint_url");
    }

    @Test
    void withoutKeysTheDefaultCredentialChainIsUsed() throws Exception {
        Map<String, Object> options = server.options(bucket);
        options.remove("access_key");
        options.remove("secret_key");
        // System properties are the JVM's stand-in for AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in that chain.
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3", options))) {
            backend.write("via-chain", new byte[] {7});
            assertThat(backend.readAllBytes("via-chain")).containsExactly(7);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void secretsAreMaskedInDescriptionsAndNeverInToString() throws Exception {
        S3BackendProvider provider = new S3BackendProvider();
        StorageConfig byUrl = StorageConfig.ofUrl(url("/env1"));
        assertThat(byUrl.describe(provider.secretOptions())).doesNotContain(S3ProxyServer.SECRET_KEY)
                .contains("secret_key=*****");
        Map<String, Object> yaml = server.options(bucket);
        yaml.put("tls", Map.of("key", "-----BEGIN PRIVATE KEY-----inline-----END PRIVATE KEY-----"));
        assertThat(StorageConfig.of("s3", yaml).describe(provider.secretOptions()))
                .doesNotContain(S3ProxyServer.SECRET_KEY).doesNotContain("inline");
        try (StorageBackend backend = provider.create(byUrl)) {
            assertThat(backend.toString()).contains(bucket).doesNotContain(S3ProxyServer.SECRET_KEY)
                    .doesNotContain(S3ProxyServer.ACCESS_KEY);
        }
    }
}
