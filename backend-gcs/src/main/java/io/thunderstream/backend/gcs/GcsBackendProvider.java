package io.thunderstream.backend.gcs;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.util.Set;

/**
 * The {@code gcs} storage backend: Google Cloud Storage through google-cloud-storage, configured
 * with {@code storage.type: gcs} and options, or with a URL {@code gs://bucket/prefix}.
 */
public final class GcsBackendProvider implements StorageBackendProvider {

    @Override
    public String type() {
        return "gcs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    @Override
    public StorageBackend create(StorageConfig config) throws StorageException {
        return GcsBackend.open(GcsOptions.parse(config, System.getenv()));
    }
}
