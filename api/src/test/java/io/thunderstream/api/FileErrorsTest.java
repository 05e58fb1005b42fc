package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors of real file operations read as a path and what is wrong, with no Java class names. */
class FileErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFile() {
        Path missing = dir.resolve("missing.yaml");
        IOException e = catchThrowableOfType(IOException.class, () -> Files.readString(missing));
        assertThat(FileErrors.describe(missing, e)).isEqualTo(missing + ": no such file or directory");
        assertThat(FileErrors.describe(e)).isEqualTo(missing + ": no such file or directory");
    }

    @Test
    void aDirectoryReadAsAFileNamesNoFileButThePathIsGiven() {
        IOException e = catchThrowableOfType(IOException.class, () -> Files.readString(dir));
        assertThat(FileErrors.describe(dir, e)).isEqualTo(dir + ": is a directory");
    }

    @Test
    void textThatIsNotUtf8() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), "instance: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IOException e = catchThrowableOfType(IOException.class, () -> Files.readString(latin1));
        assertThat(FileErrors.describe(latin1, e)).isEqualTo(latin1 + ": not UTF-8 text");
    }

    @Test
    void aDirectoryUnderARegularFileNamesTheComponentThatIsNoDirectory() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        Path wanted = file.resolve("sub/db");
        IOException e = catchThrowableOfType(IOException.class, () -> Files.createDirectories(wanted));
        assertThat(FileErrors.describe(wanted, e)).isEqualTo(wanted + ": " + file.resolve("sub") + ": not a directory");
    }

    /** Made up: root, as tests may run, may read and write anything. */
    @Test
    void permissionDenied() {
        assertThat(FileErrors.describe(Path.of("/etc/ts.yaml"), new AccessDeniedException("/etc/ts.yaml")))
                .isEqualTo("/etc/ts.yaml: permission denied");
        assertThat(FileErrors.describe(Path.of("/ro/sub/db"), new AccessDeniedException("/ro/sub")))
                .isEqualTo("/ro/sub/db: /ro/sub: permission denied");
    }
}
