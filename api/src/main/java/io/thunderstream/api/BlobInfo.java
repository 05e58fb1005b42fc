package io.thunderstream.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One blob in a listing.
 *
 * @param name         the blob's name, as given to {@link StorageBackend#write}
 * @param size         its size in bytes
 * @param lastModified when the storage last wrote it, or {@code null} when the backend does not know
 */
public record BlobInfo(String name, long size, Instant lastModified) {

    public BlobInfo {
        Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for blob " + name);
        }
    }

    public BlobInfo(String name, long size) {
        this(name, size, null);
    }
}
