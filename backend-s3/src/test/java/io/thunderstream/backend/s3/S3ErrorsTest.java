package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Failures are one line naming the endpoint, the bucket and S3's error code, never the secret. */
class S3ErrorsTest {

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

    private static StorageBackend open(Map<String, Object> options) throws StorageException {
        return new S3BackendProvider().create(StorageConfig.of("s3", options));
    }

    @Test
    void wrongSecretKey() throws Exception {
        Map<String, Object> options = server.options(bucket);
        options.put("secret_key", "wrong-secret-NOT-TO-BE-SHOWN");
        try (StorageBackend backend = open(options)) {
            assertThatThrownBy(() -> backend.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("SignatureDoesNotMatch")
                    .satisfies(e -> assertClearOneLiner(e, "wrong-secret-NOT-TO-BE-SHOWN"));
            assertThatThrownBy(() -> backend.write("x", new byte[] {1}))
                    .satisfies(e -> assertClearOneLiner(e, "wrong-secret-NOT-TO-BE-SHOWN"));
        }
    }

    @Test
    void unknownAccessKey() throws Exception {
        Map<String, Object> options = server.options(bucket);
        options.put("access_key", "nobody");
        try (StorageBackend backend = open(options)) {
            assertThatThrownBy(() -> backend.read("x"))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("InvalidAccessKeyId")
                    .satisfies(e -> assertClearOneLiner(e, S3ProxyServer.SECRET_KEY));
        }
    }

    @Test
    void missingBucketWithoutCreateBucket() throws Exception {
        String missing = server.unusedBucketName();
        try (StorageBackend backend = open(server.options(missing))) {
            assertThatThrownBy(() -> backend.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("NoSuchBucket")
                    .hasMessageContaining("bucket " + missing)
                    .hasMessageContaining(server.endpoint());
            assertThatThrownBy(() -> backend.read("x")).hasMessageContaining("NoSuchBucket");
        }
        assertThat(server.blobStore.containerExists(missing)).isFalse();
    }

    @Test
    void missingBucketWithCreateBucket() throws Exception {
        String missing = server.unusedBucketName();
        Map<String, Object> options = server.options(missing);
        options.put("create_bucket", true);
        try {
            try (StorageBackend backend = open(options)) {
                assertThat(backend.list("")).isEmpty();
                backend.write("a", new byte[] {1});
            }
            // Again, now that the bucket exists: still fine.
            try (StorageBackend backend = open(options)) {
                assertThat(backend.readAllBytes("a")).containsExactly(1);
            }
        } finally {
            server.deleteBucket(missing);
        }
    }

    @Test
    void unreachableEndpoint() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free once closed: nobody listens there
        }
        Map<String, Object> options = server.options(bucket);
        options.put("endpoint_url", "http://127.0.0.1:" + port);
        options.put("dial_timeout", "2s");
        try (StorageBackend backend = open(options)) {
            assertThatThrownBy(() -> backend.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("cannot connect")
                    .hasMessageContaining("http://127.0.0.1:" + port)
                    .hasMessageContaining("bucket " + bucket)
                    .satisfies(e -> assertClearOneLiner(e, S3ProxyServer.SECRET_KEY, "http://127.0.0.1:" + port));
        }
    }

    @Test
    void createBucketFailureFailsTheOpen() {
        Map<String, Object> options = server.options(server.unusedBucketName());
        options.put("create_bucket", true);
        options.put("secret_key", "wrong-secret-NOT-TO-BE-SHOWN");
        assertThatThrownBy(() -> open(options))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("create bucket")
                .satisfies(e -> assertClearOneLiner(e, "wrong-secret-NOT-TO-BE-SHOWN"));
    }

    private void assertClearOneLiner(Throwable e, String secret) {
        assertClearOneLiner(e, secret, server.endpoint());
    }

    private static void assertClearOneLiner(Throwable e, String secret, String endpoint) {
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(secret)
                .contains("endpoint " + endpoint).startsWith("s3 ");
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
        }
    }
}
