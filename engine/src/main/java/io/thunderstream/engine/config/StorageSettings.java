package io.thunderstream.engine.config;

import io.thunderstream.api.StorageConfig;

import java.util.Objects;

/**
 * The {@code storage} section: where snapshots live and how old ones are cleaned.
 *
 * @param backend the backend's settings ({@code type} + {@code options}, or {@code url}), checked
 *                by the backend when it is opened
 * @param cleanup the storage cleaner
 */
public record StorageSettings(StorageConfig backend, CleanupConfig cleanup) {

    public StorageSettings {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(cleanup, "cleanup");
    }

    public static StorageSettings of(StorageConfig backend) {
        return new StorageSettings(backend, CleanupConfig.defaults());
    }
}
