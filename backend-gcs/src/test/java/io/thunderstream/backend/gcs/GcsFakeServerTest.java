package io.thunderstream.backend.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/**
 * The contract against fsouza/fake-gcs-server over HTTP, through the provider (endpoint_url,
 * create_bucket, no credentials). Needs Docker, which the build machines lack: it runs only with
 * {@code -Dthunderstream.docker=true} (and then fails if Docker is missing); the image can be
 * changed with {@code -Dthunderstream.fakegcs.image=...}.
 */
@Tag("docker") // outside the default run; -Dthunderstream.docker=true runs it (root pom, profile docker)
class GcsFakeServerTest extends StorageBackendContractTest {

    private static final int PORT = 4443;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static GenericContainer<?> server;
    private static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        server = new GenericContainer<>(System.getProperty("thunderstream.fakegcs.image", "fsouza/fake-gcs-server:1.49.0"))
                .withCommand("-scheme", "http", "-port", Integer.toString(PORT))
                .withExposedPorts(PORT);
        server.start();
        endpoint = "http://" + server.getHost() + ":" + server.getMappedPort(PORT);
        // Resumable upload URLs must point at the mapped port.
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + "/_internal/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"externalUrl\": \"" + endpoint + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("fake-gcs-server config update: %s", r.body()).isLessThan(300);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    protected StorageBackend openEmptyBackend() throws Exception {
        return new GcsBackendProvider().create(StorageConfig.of("gcs", Map.of("bucket", "bucket-" + BUCKETS.incrementAndGet(),
                "endpoint_url", endpoint, "create_bucket", true, "project_id", "test")));
    }

    @Test
    void urlFormWorksToo() throws Exception {
        String bucket = "bucket-" + BUCKETS.incrementAndGet();
        try (StorageBackend b = new GcsBackendProvider().create(StorageConfig.ofUrl("gs://" + bucket + "/p?create_bucket=true&endpoint_url="
                + java.net.URLEncoder.encode(endpoint, java.nio.charset.StandardCharsets.UTF_8)))) {
            b.write("x", new byte[] {1});
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("x");
        }
    }
}
