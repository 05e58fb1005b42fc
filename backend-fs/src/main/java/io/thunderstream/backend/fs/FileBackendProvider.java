package io.thunderstream.backend.fs;

import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.StorageException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code fs} backend: {@code storage.type: fs} with option {@code root_path}, or
 * {@code storage.url: file:///absolute/path}. The root directory is created when missing.
 */
public final class FileBackendProvider implements StorageBackendProvider {

    static final String ROOT_PATH = "root_path";

    @Override
    public String type() {
        return "fs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public StorageBackend create(StorageConfig config) throws StorageException {
        config.requireOnly(Set.of(ROOT_PATH));
        Path root = rootOf(config);
        if (Files.isRegularFile(root)) {
            throw new StorageConfigException(config.url().map(url -> "storage.url " + url).orElse("storage.options.root_path " + root)
                    + " is a file, not a directory");
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new StorageException("fs: cannot create root_path " + FileErrors.describe(root, e), e);
        }
        if (!Files.isWritable(root)) {
            throw new StorageException("fs: root_path " + root + " is not writable");
        }
        return new FileBackend(root);
    }

    private static Path rootOf(StorageConfig config) {
        if (config.url().isPresent()) {
            URI url = config.url().get();
            if (url.getAuthority() != null && !url.getAuthority().isEmpty() && !url.getAuthority().equals("localhost")) {
                throw new StorageConfigException("storage.url: " + url + " names a host; a file URL is file:///absolute/path");
            }
            if (url.getPath() == null || url.getPath().isEmpty()) {
                throw new StorageConfigException("storage.url: " + url + " has no path; a file URL is file:///absolute/path");
            }
            if (config.has(ROOT_PATH) && !Path.of(config.requireString(ROOT_PATH)).toAbsolutePath().normalize()
                    .equals(Path.of(url.getPath()).normalize())) {
                throw new StorageConfigException("storage: root_path and the file URL name different directories");
            }
            return Path.of(url.getPath());
        }
        return Path.of(config.requireString(ROOT_PATH));
    }
}
