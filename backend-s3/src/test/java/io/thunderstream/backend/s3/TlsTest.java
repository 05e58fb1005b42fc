package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.TestCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An S3Proxy on HTTPS with a self-signed certificate for 127.0.0.1. */
class TlsTest {

    @TempDir
    static Path dir;

    private static S3Proxy https;
    private static Path caFile;
    private static String bucket;

    @BeforeAll
    static void start() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        caFile = certificate.caPem();
        S3ProxyServer plain = S3ProxyServer.get();
        bucket = plain.newBucket();
        https = S3Proxy.builder()
                .blobStore(plain.blobStore)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                .secureEndpoint(URI.create("https://127.0.0.1:0"))
                .sslContext(certificate.serverContext())
                .build();
        https.start();
        while (!https.getState().equals("STARTED")) {
            Thread.onSpinWait();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (https != null) {
            https.stop();
        }
        S3ProxyServer.get().deleteBucket(bucket);
    }

    private static Map<String, Object> options(Map<String, Object> tls) throws Exception {
        Map<String, Object> options = S3ProxyServer.get().options(bucket);
        options.put("endpoint_url", "https://127.0.0.1:" + https.getSecurePort());
        if (!tls.isEmpty()) {
            options.put("tls", tls);
        }
        return options;
    }

    @Test
    void privateCaFromCaFile() throws Exception {
        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3",
                options(Map.of("ca_file", caFile.toString()))))) {
            backend.write("over-tls", new byte[] {4, 2});
            assertThat(backend.readAllBytes("over-tls")).containsExactly(4, 2);
        }
    }

    @Test
    void untrustedCertificateIsATlsFailureNamingTheEndpoint() throws Exception {
        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3", options(Map.of())))) {
            assertThatThrownBy(() -> backend.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("TLS failure")
                    .hasMessageContaining("https://127.0.0.1:" + https.getSecurePort())
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void insecureSkipVerifyOnlyWhenAsked() throws Exception {
        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3",
                options(Map.of("insecure_skip_verify", true))))) {
            backend.list("");
        }
    }
}
