package io.thunderstream.backend.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBackendContractTest extends StorageBackendContractTest {

    @TempDir
    Path dir;

    @Override
    protected StorageBackend openEmptyBackend() throws IOException {
        return new FileBackendProvider().create(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
    }

    @Test
    void urlAndYamlNameTheSameDirectory() throws IOException {
        StorageBackends installed = StorageBackends.discover(getClass().getClassLoader());
        try (StorageBackend byUrl = installed.open(StorageConfig.ofUrl(dir.resolve("bucket").toUri().toString()))) {
            byUrl.write("main__a__x.pb.gz", new byte[] {42});
        }
        assertThat(backend.readAllBytes("main__a__x.pb.gz")).containsExactly(42);
        assertThat(dir.resolve("bucket/main__a__x.pb.gz")).exists();
    }

    @Test
    void tempFilesNeverShowInListings() throws IOException {
        Files.writeString(dir.resolve("bucket/.tmp-main__a__x.pb.gz-123"), "partial");
        Files.createDirectories(dir.resolve("bucket/.hidden-dir"));
        Files.writeString(dir.resolve("bucket/.hidden-dir/blob"), "x");
        backend.write("visible", new byte[] {1});
        assertThat(backend.list("")).extracting(b -> b.name()).containsExactly("visible");
    }

    @Test
    void failedWriteRemovesItsTempFile() throws IOException {
        InputStream breaks = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("broken on purpose");
            }
        };
        assertThatThrownBy(() -> backend.write("x", breaks, -1)).hasMessageContaining("broken on purpose");
        try (Stream<Path> files = Files.list(dir.resolve("bucket"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void twoProcessesWorthOfBackendsShareOneDirectory() throws IOException {
        try (StorageBackend other = openEmptyBackend()) {
            other.write("from-other", new byte[] {7});
            backend.write("from-this", new byte[] {8});
            assertThat(backend.list("from-")).hasSize(2);
            assertThat(other.readAllBytes("from-this")).containsExactly(8);
        }
    }

    @Test
    void configErrorsNameTheOption() {
        FileBackendProvider provider = new FileBackendProvider();
        assertThatThrownBy(() -> provider.create(StorageConfig.of("fs", Map.of())))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("missing required option root_path");
        assertThatThrownBy(() -> provider.create(StorageConfig.of("fs", Map.of("root_path", "/tmp/x", "rootpath", "/y"))))
                .hasMessageContaining("unknown option rootpath");
        assertThatThrownBy(() -> provider.create(StorageConfig.ofUrl("file://otherhost/srv/bucket")))
                .hasMessageContaining("names a host");
    }

    @Test
    void aRootPathThatIsARegularFileIsAConfigError() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        FileBackendProvider provider = new FileBackendProvider();
        assertThatThrownBy(() -> provider.create(StorageConfig.of("fs", Map.of("root_path", file.toString()))))
                .isInstanceOf(StorageConfigException.class)
                .hasMessage("storage.options.root_path " + file + " is a file, not a directory");
        assertThatThrownBy(() -> provider.create(StorageConfig.ofUrl(file.toUri().toString())))
                .isInstanceOf(StorageConfigException.class)
                .hasMessage("storage.url " + file.toUri() + " is a file, not a directory");
    }

    @Test
    void aRootPathThatCannotBeCreatedSaysWhy() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        Path under = file.resolve("bucket");
        assertThatThrownBy(() -> new FileBackendProvider().create(StorageConfig.of("fs", Map.of("root_path", under.toString()))))
                .hasMessage("fs: cannot create root_path " + under + ": not a directory");
    }
}
