package io.thunderstream.backend.fs;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code memory} backend: {@code storage.type: memory}, or {@code storage.url: memory://NAME}.
 * Backends of the same name in one process share their blobs, so that several syncers embedded
 * in one JVM (or one test) can sync through a named in-memory bucket.
 */
public final class MemoryBackendProvider implements StorageBackendProvider {

    private static final Map<String, MemoryBackend> BUCKETS = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public StorageBackend create(StorageConfig config) {
        config.requireOnly(Set.of());
        String name = config.url().map(u -> u.getAuthority() == null ? "" : u.getAuthority()).orElse("");
        return BUCKETS.computeIfAbsent(name, MemoryBackend::new);
    }
}
