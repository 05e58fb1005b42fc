package io.thunderstream.api;

import java.util.Set;

/**
 * Creates {@link StorageBackend}s of one kind. Found with {@link java.util.ServiceLoader}: a
 * backend jar lists its provider in
 * {@code META-INF/services/io.thunderstream.api.StorageBackendProvider}.
 */
public interface StorageBackendProvider {

    /** The {@code storage.type} that selects this provider, as Lightning Stream names it: {@code s3}, {@code fs}. */
    String type();

    /** The URL schemes that select this provider for {@code storage.url}: {@code s3}, {@code file}. */
    Set<String> schemes();

    /**
     * Options whose values are secret (keys, passwords). They are masked wherever a config is
     * printed, including when they are given as URL query parameters.
     */
    default Set<String> secretOptions() {
        return Set.of();
    }

    /**
     * Opens a backend. Reports unknown, missing or malformed options with a
     * {@link StorageConfigException} that names them (see {@link StorageConfig#requireOnly}).
     */
    StorageBackend create(StorageConfig config) throws StorageException;
}
