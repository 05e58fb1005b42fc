package io.thunderstream.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.TestCertificate;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The tls option, as Lightning Stream's azure backend takes it, against an Azurite on HTTPS with a private CA. */
@ExtendWith(AzuriteExtension.class)
class AzureTlsTest {

    @TempDir
    static Path dir;

    private static Azurite https;
    private static Path caFile;

    @BeforeAll
    static void start() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        caFile = certificate.caPem();
        https = Azurite.https(certificate.keyStore(), TestCertificate.PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (https != null) {
            https.close();
        }
    }

    private static StorageBackend open(String container, Map<String, Object> tls) throws StorageException {
        Map<String, Object> options = new HashMap<>(https.options(container));
        if (!tls.isEmpty()) {
            options.put("tls", tls);
        }
        return new AzureBackendProvider().create(StorageConfig.of("azure", options));
    }

    @Test
    void thePrivateCaOfTlsCaFileIsTrusted() throws Exception {
        assertThat(https.endpoint()).startsWith("https://");
        try (StorageBackend backend = open("tls-ca", Map.of("ca_file", caFile.toString()))) {
            backend.write("over-tls", new byte[] {4, 2});
            assertThat(backend.readAllBytes("over-tls")).containsExactly(4, 2);
            assertThat(backend.list("")).extracting(b -> b.name()).containsExactly("over-tls");
        }
    }

    @Test
    void withoutItTheServerIsNotTrustedAndTheErrorNamesTheContainer() {
        assertThatThrownBy(() -> open("tls-none", Map.of()).close())
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("tls-none")
                .hasMessageContaining(https.endpoint())
                .hasMessageContaining("TLS failure: ")
                .hasMessageContaining("set tls.ca_file");
    }

    @Test
    void insecureSkipVerifyOnlyWhenAsked() throws Exception {
        try (StorageBackend backend = open("tls-insecure", Map.of("insecure_skip_verify", true))) {
            backend.write("any", new byte[] {1});
            assertThat(backend.readAllBytes("any")).containsExactly(1);
        }
    }
}
