package io.thunderstream.engine.snapshot;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test data directory, from the system property surefire sets. */
final class SharedTestData {
    private SharedTestData() {
    }

    static Path dir() {
        String dir = System.getProperty("thunderstream.shared.dir");
        if (dir == null) {
            throw new IllegalStateException("system property thunderstream.shared.dir is not set (the root pom's surefire config sets it)");
        }
        Path p = Path.of(dir, "testdata");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("shared test data not found at " + p);
        }
        return p;
    }
}
