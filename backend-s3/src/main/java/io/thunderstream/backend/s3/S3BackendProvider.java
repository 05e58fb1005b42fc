package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.util.List;
import java.util.Set;

/**
 * The {@code s3} backend: AWS S3 and S3-compatible servers (MinIO, Ceph, S3Proxy...), with
 * Lightning Stream's options. Selected by {@code storage.type: s3} or {@code storage.url:
 * s3://bucket/prefix?region=...}; the URL's path is the {@code global_prefix}.
 */
public final class S3BackendProvider implements StorageBackendProvider {

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public Set<String> secretOptions() {
        return S3Options.SECRETS;
    }

    @Override
    public StorageBackend create(StorageConfig config) throws StorageException {
        return S3Backend.open(S3Options.from(config), List.of());
    }
}
