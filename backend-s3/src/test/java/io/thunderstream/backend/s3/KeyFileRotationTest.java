package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** access_key_file and secret_key_file are read again every secrets_refresh_interval. */
class KeyFileRotationTest {

    @TempDir
    Path dir;

    private S3ProxyServer server;
    private String bucket;

    @BeforeEach
    void start() throws Exception {
        server = S3ProxyServer.get();
        bucket = server.newBucket();
    }

    @AfterEach
    void restore() {
        server.acceptDefaultKeys();
        server.deleteBucket(bucket);
    }

    @Test
    void rotatedKeysAreUsedWithoutRestart() throws Exception {
        Path accessFile = dir.resolve("access-key");
        Path secretFile = dir.resolve("secret-key");
        replace(accessFile, S3ProxyServer.ACCESS_KEY + "\n"); // editors add a final newline
        replace(secretFile, S3ProxyServer.SECRET_KEY + "\n");
        Map<String, Object> options = server.options(bucket);
        options.remove("access_key");
        options.remove("secret_key");
        options.put("access_key_file", accessFile.toString());
        options.put("secret_key_file", secretFile.toString());
        options.put("secrets_refresh_interval", "1s");

        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3", options))) {
            backend.write("before", new byte[] {1});

            server.acceptOnly("rotated-access", "rotated-secret-NOT-TO-BE-SHOWN");
            replace(accessFile, "rotated-access");
            replace(secretFile, "rotated-secret-NOT-TO-BE-SHOWN");

            Await.untilSucceeds(Duration.ofSeconds(15), () ->
                    assertThat(backend.list("")).extracting(BlobInfo::name).containsExactly("before"));
            backend.write("after", new byte[] {2});
            assertThat(backend.readAllBytes("after")).containsExactly(2);
        }
    }

    @Test
    void unreadableKeyFileIsAClearError() throws Exception {
        Map<String, Object> options = server.options(bucket);
        options.remove("access_key");
        options.remove("secret_key");
        options.put("access_key_file", dir.resolve("no-such-file").toString());
        options.put("secret_key_file", dir.resolve("no-such-file-either").toString());
        try (StorageBackend backend = new S3BackendProvider().create(StorageConfig.of("s3", options))) {
            assertThatThrownBy(() -> backend.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("cannot read access_key_file " + dir.resolve("no-such-file") + ": no such file or directory")
                    .hasMessageNotContaining("Exception");
        }
    }

    /** Like a secrets mount: the new file appears whole. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
