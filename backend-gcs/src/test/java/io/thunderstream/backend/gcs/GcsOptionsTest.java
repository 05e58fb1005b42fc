package io.thunderstream.backend.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.StorageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option parsing and validation, and failures that need no storage. */
class GcsOptionsTest {

    private static GcsOptions parse(Map<String, ?> options) {
        return GcsOptions.parse(StorageConfig.of("gcs", options), Map.of());
    }

    @Test
    void providerIsFoundByTypeAndScheme() {
        StorageBackends installed = StorageBackends.discover(getClass().getClassLoader());
        assertThat(installed.provider(StorageConfig.of("gcs", Map.of()))).isInstanceOf(GcsBackendProvider.class);
        assertThat(installed.provider(StorageConfig.ofUrl("gs://b/p"))).isInstanceOf(GcsBackendProvider.class);
    }

    @Test
    void defaults() {
        GcsOptions o = parse(Map.of("bucket", "b"));
        assertThat(o.bucket()).isEqualTo("b");
        assertThat(o.globalPrefix()).isEmpty();
        assertThat(o.credentialsFile()).isNull();
        assertThat(o.projectId()).isNull();
        assertThat(o.endpoint()).isNull();
        assertThat(o.emulator()).isFalse();
        assertThat(o.createBucket()).isFalse();
        assertThat(o.useUpdateMarker()).isFalse();
        assertThat(o.updateMarkerForceListInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.initTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.dialTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.clientTimeout()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void everyOptionIsRead() {
        GcsOptions o = parse(Map.ofEntries(Map.entry("bucket", "b"), Map.entry("global_prefix", "ls/"),
                Map.entry("credentials_file", "/etc/sa.json"), Map.entry("project_id", "p"),
                Map.entry("endpoint_url", "https://storage.example.com/"), Map.entry("create_bucket", true),
                Map.entry("use_update_marker", "yes"), Map.entry("update_marker_force_list_interval", "1m"),
                Map.entry("init_timeout", "5s"), Map.entry("dial_timeout", "2s"), Map.entry("read_timeout", "3s"),
                Map.entry("client_timeout", "1h")));
        assertThat(o.globalPrefix()).isEqualTo("ls/");
        assertThat(o.credentialsFile()).isEqualTo(Path.of("/etc/sa.json"));
        assertThat(o.projectId()).isEqualTo("p");
        assertThat(o.endpoint()).isEqualTo(URI.create("https://storage.example.com"));
        assertThat(o.emulator()).isFalse();
        assertThat(o.createBucket()).isTrue();
        assertThat(o.useUpdateMarker()).isTrue();
        assertThat(o.updateMarkerForceListInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.initTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.dialTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.readTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.clientTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void urlNamesBucketAndPrefix() {
        GcsOptions o = GcsOptions.parse(StorageConfig.ofUrl("gs://snaps/env1/pdns?create_bucket=true"), Map.of());
        assertThat(o.bucket()).isEqualTo("snaps");
        assertThat(o.globalPrefix()).isEqualTo("env1/pdns/");
        assertThat(o.createBucket()).isTrue();
        assertThat(GcsOptions.parse(StorageConfig.ofUrl("gs://snaps"), Map.of()).globalPrefix()).isEmpty();
        assertThat(GcsOptions.parse(StorageConfig.ofUrl("gs://snaps/p/"), Map.of()).globalPrefix()).isEqualTo("p/");
    }

    @Test
    void urlAndOptionsMustAgree() {
        assertThatThrownBy(() -> GcsOptions.parse(StorageConfig.of(null, URI.create("gs://a/p"), Map.of("bucket", "b")), Map.of()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("bucket \"b\"");
        assertThatThrownBy(() -> GcsOptions.parse(StorageConfig.of(null, URI.create("gs://a/p"), Map.of("global_prefix", "q/")), Map.of()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("global_prefix");
        assertThatThrownBy(() -> GcsOptions.parse(StorageConfig.ofUrl("gs:///p"), Map.of()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("names no bucket");
    }

    @Test
    void mistakesAreReported() {
        assertThatThrownBy(() -> parse(Map.of())).isInstanceOf(StorageConfigException.class).hasMessageContaining("missing required option bucket");
        assertThatThrownBy(() -> parse(Map.of("bucket", "b", "buckets", "c")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("unknown option buckets");
        assertThatThrownBy(() -> parse(Map.of("bucket", "b", "endpoint_url", "localhost:4443")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("endpoint_url must be an http(s) URL");
        assertThatThrownBy(() -> parse(Map.of("bucket", "b", "global_prefix", "/abs/")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("global_prefix");
        assertThatThrownBy(() -> parse(Map.of("bucket", "b", "read_timeout", "10")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("read_timeout");
    }

    @Test
    void emulatorEndpoints() {
        GcsOptions fromEnv = GcsOptions.parse(StorageConfig.of("gcs", Map.of("bucket", "b")),
                Map.of("STORAGE_EMULATOR_HOST", "127.0.0.1:4443"));
        assertThat(fromEnv.endpoint()).isEqualTo(URI.create("http://127.0.0.1:4443"));
        assertThat(fromEnv.emulator()).isTrue();

        GcsOptions explicit = GcsOptions.parse(StorageConfig.of("gcs", Map.of("bucket", "b", "endpoint_url", "http://fake:4443")),
                Map.of("STORAGE_EMULATOR_HOST", "127.0.0.1:4443"));
        assertThat(explicit.endpoint()).as("endpoint_url wins").isEqualTo(URI.create("http://fake:4443"));
        assertThat(explicit.emulator()).isTrue();

        GcsOptions withCredentials = parse(Map.of("bucket", "b", "endpoint_url", "http://fake:4443", "credentials_file", "/sa.json"));
        assertThat(withCredentials.emulator()).as("credentials_file is used even with an http endpoint").isFalse();
    }

    @Test
    void unreadableCredentialsFileFailsAtOpen(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> new GcsBackendProvider().create(StorageConfig.of("gcs",
                Map.of("bucket", "b", "credentials_file", dir.resolve("absent.json").toString()))))
                .isInstanceOf(StorageException.class)
                .hasMessage("gcs: cannot read credentials_file " + dir.resolve("absent.json") + ": no such file or directory");
        Path bogus = Files.writeString(dir.resolve("bogus.json"), "{\"type\": \"service_account\"}");
        assertThatThrownBy(() -> new GcsBackendProvider().create(StorageConfig.of("gcs",
                Map.of("bucket", "b", "credentials_file", bogus.toString()))))
                .isInstanceOf(StorageException.class).hasMessageContaining("credentials_file");
    }

    @Test
    void unreachableEndpointIsAStorageException() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (StorageBackend b = new GcsBackendProvider().create(StorageConfig.of("gcs", Map.of("bucket", "b",
                "endpoint_url", "http://127.0.0.1:" + closedPort, "client_timeout", "2s", "dial_timeout", "1s")))) {
            assertThatThrownBy(() -> b.list("")).isInstanceOf(StorageException.class)
                    .hasMessageContaining("gcs: list").hasMessageContaining("bucket \"b\"")
                    .hasMessageContaining("cannot reach http://127.0.0.1:" + closedPort);
        }
    }
}
