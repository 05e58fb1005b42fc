package io.thunderstream.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A flat store of named blobs: a bucket, a container or a directory. Implementations are
 * thread-safe; one instance is shared by every syncer of a process.
 *
 * <p>Every method checks its names with {@link BlobNames#check} and throws
 * {@link IllegalArgumentException} for an invalid one before touching storage. Storage
 * failures are {@link StorageException}s whose message names the backend and the blob, never a
 * secret.
 */
public interface StorageBackend extends AutoCloseable {

    /**
     * All blobs whose name starts with {@code prefix} ({@code ""} for all), sorted by name, with
     * their sizes. The backend pages through the storage's listing itself; the result is complete.
     */
    List<BlobInfo> list(String prefix) throws IOException;

    /**
     * Opens a blob for reading. The caller closes the stream.
     *
     * @throws BlobNotFoundException when there is no blob of that name
     */
    InputStream read(String name) throws IOException;

    /**
     * Stores a blob, replacing any blob of that name. Atomic: a reader or a listing sees the old
     * blob or the whole new one, never a part; when {@code data} throws or holds a different
     * number of bytes than {@code size}, no blob (and no partial blob) is left behind.
     *
     * @param size the number of bytes in {@code data}, or {@code -1} when not known in advance
     */
    void write(String name, InputStream data, long size) throws IOException;

    /** Deletes a blob. Deleting a blob that does not exist is not an error. */
    void delete(String name) throws IOException;

    /** Reads a whole blob into memory; for small blobs only. */
    default byte[] readAllBytes(String name) throws IOException {
        try (InputStream in = read(name)) {
            return in.readAllBytes();
        }
    }

    /** Stores a blob held in memory. */
    default void write(String name, byte[] data) throws IOException {
        write(name, new ByteArrayInputStream(data), data.length);
    }

    /** Releases connections and threads. The default does nothing. */
    @Override
    default void close() throws IOException {
    }
}
