package io.thunderstream.backend.azure;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.util.Set;

/**
 * The {@code azure} storage backend: Azure Blob Storage through azure-storage-blob, configured
 * with the options of Lightning Stream's azure backend, or with a URL
 * {@code az://container/prefix?account_name=...}.
 */
public final class AzureBackendProvider implements StorageBackendProvider {

    @Override
    public String type() {
        return "azure";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("az");
    }

    @Override
    public Set<String> secretOptions() {
        return Set.of(AzureOptions.ACCOUNT_KEY);
    }

    @Override
    public StorageBackend create(StorageConfig config) throws StorageException {
        return AzureBackend.open(AzureOptions.parse(config));
    }
}
