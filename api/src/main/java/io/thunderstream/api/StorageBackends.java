package io.thunderstream.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The installed storage backends, found with {@link ServiceLoader}, and the choice among them for
 * a {@link StorageConfig}: by {@code storage.type}, or by the scheme of {@code storage.url}.
 */
public final class StorageBackends {

    private final List<StorageBackendProvider> providers;
    private final Map<String, StorageBackendProvider> byType = new HashMap<>();
    private final Map<String, StorageBackendProvider> byScheme = new HashMap<>();

    /** Providers given directly, for embedding and tests. */
    public StorageBackends(List<? extends StorageBackendProvider> providers) {
        this.providers = List.copyOf(providers);
        for (StorageBackendProvider p : this.providers) {
            claim(byType, p.type(), p, "type");
            for (String scheme : p.schemes()) {
                claim(byScheme, scheme.toLowerCase(java.util.Locale.ROOT), p, "URL scheme");
            }
        }
    }

    private static void claim(Map<String, StorageBackendProvider> claims, String key, StorageBackendProvider p, String what) {
        StorageBackendProvider other = claims.putIfAbsent(key, p);
        if (other != null) {
            throw new StorageConfigException("two storage backends claim the " + what + " \"" + key + "\": "
                    + other.getClass().getName() + " and " + p.getClass().getName()
                    + "; remove one of their jars (plugins/ or lib/)");
        }
    }

    /**
     * Every provider that the given class loaders can see: the application's, then one per plugin.
     * A provider class seen through several loaders (a plugin loader delegates to its parent) counts once.
     */
    public static StorageBackends discover(ClassLoader... loaders) {
        Set<Class<?>> seen = new HashSet<>();
        List<StorageBackendProvider> found = new ArrayList<>();
        for (ClassLoader loader : loaders) {
            ServiceLoader.load(StorageBackendProvider.class, loader).stream()
                    .filter(p -> seen.add(p.type()))
                    .forEach(p -> found.add(p.get()));
        }
        return new StorageBackends(found);
    }

    public List<StorageBackendProvider> providers() {
        return providers;
    }

    /** The provider that {@code config} asks for; its type and URL scheme must agree when both are set. */
    public StorageBackendProvider provider(StorageConfig config) {
        StorageBackendProvider byUrl = null;
        if (config.scheme().isPresent()) {
            String scheme = config.scheme().get();
            byUrl = byScheme.get(scheme);
            if (byUrl == null) {
                throw new StorageConfigException("storage.url: no installed backend handles the URL scheme \"" + scheme
                        + "\"; installed schemes: " + installed(byScheme));
            }
        }
        if (config.type().isPresent()) {
            String type = config.type().get();
            StorageBackendProvider p = byType.get(type);
            if (p == null) {
                throw new StorageConfigException("storage.type: no installed backend of type \"" + type
                        + "\"; installed types: " + installed(byType));
            }
            if (byUrl != null && byUrl != p) {
                throw new StorageConfigException("storage: type \"" + type + "\" and the URL scheme \""
                        + config.scheme().get() + "\" name different backends");
            }
            return p;
        }
        return byUrl;
    }

    /** Opens the backend that {@code config} asks for. */
    public StorageBackend open(StorageConfig config) throws StorageException {
        return provider(config).create(config);
    }

    private static String installed(Map<String, StorageBackendProvider> claims) {
        return claims.isEmpty() ? "(none)" : new TreeSet<>(claims.keySet()).stream().collect(Collectors.joining(", "));
    }
}
