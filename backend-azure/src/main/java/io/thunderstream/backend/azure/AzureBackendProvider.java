package io.thunderstream.backend.azure;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.TlsSettings;
import java.util.HashSet;
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
        Set<String> secrets = new HashSet<>(TlsSettings.secretOptionNames());
        secrets.add(AzureOptions.ACCOUNT_KEY);
        return secrets;
    }

    @Override
    public StorageBackend create(StorageConfig config) throws StorageException {
        return AzureBackend.open(AzureOptions.parse(config));
    }
}
