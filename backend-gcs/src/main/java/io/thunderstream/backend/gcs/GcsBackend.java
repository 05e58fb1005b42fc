package io.thunderstream.backend.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.DeclaredSizeInputStream;
import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.UpdateMarker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Google Cloud Storage, one bucket, optionally under a global prefix.
 *
 * <p>Writes are atomic: a blob up to one chunk goes up in a single request; a larger one in a
 * resumable upload that is finalized only after the whole source was read and its size checked,
 * so a failed source leaves no object (the abandoned session expires on its own). Reads are
 * pinned to the generation listed at open, so an overwrite during a read cannot mix versions.
 */
final class GcsBackend implements StorageBackend {

    private static final System.Logger LOG = System.getLogger(GcsBackend.class.getName());


    private final GcsOptions options;
    private final Storage storage;
    private final boolean ownsClient;
    private final String markerName;
    private final UpdateMarker marker;


    /** A backend around a given client; the caller keeps ownership of the client. */
    GcsBackend(GcsOptions options, Storage storage) {
        this(options, storage, false);
    }

    private GcsBackend(GcsOptions options, Storage storage, boolean ownsClient) {
        this.options = options;
        this.storage = storage;
        this.ownsClient = ownsClient;
        this.markerName = options.globalPrefix() + UpdateMarker.NAME;
        this.marker = options.useUpdateMarker() ? new UpdateMarker(options.updateMarkerForceListInterval()) : null;
    }

    static GcsBackend open(GcsOptions options) throws StorageException {
        GcsBackend backend = new GcsBackend(options, client(options), true);
        if (options.createBucket()) {
            backend.createBucket();
        }
        return backend;
    }

    /** For tests and embedding: a backend around {@code storage}, creating the bucket when asked. */
    static GcsBackend open(GcsOptions options, Storage storage) throws StorageException {
        GcsBackend backend = new GcsBackend(options, storage, false);
        if (options.createBucket()) {
            backend.createBucket();
        }
        return backend;
    }

    private static Storage client(GcsOptions options) throws StorageException {
        StorageOptions.Builder builder = StorageOptions.http()
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(millis(options.dialTimeout()))
                        .setReadTimeout(millis(options.readTimeout()))
                        .build())
                .setRetrySettings(StorageOptions.getDefaultRetrySettings().toBuilder()
                        .setTotalTimeoutDuration(options.clientTimeout())
                        .build())
                // Our writes replace whole objects with the same bytes on a retry: safe to retry them too.
                .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
        if (options.endpoint() != null) {
            builder.setHost(options.endpoint().toString());
        }
        if (options.projectId() != null) {
            builder.setProjectId(options.projectId());
        }
        if (options.credentialsFile() != null) {
            try (InputStream in = Files.newInputStream(options.credentialsFile())) {
                builder.setCredentials(GoogleCredentials.fromStream(in)
                        .createScoped("https://www.googleapis.com/auth/devstorage.read_write"));
            } catch (IOException e) {
                throw new StorageException("gcs: cannot read credentials_file " + FileErrors.describe(options.credentialsFile(), e), e);
            }
        } else if (options.emulator()) {
            builder.setCredentials(NoCredentials.getInstance());
            if (options.projectId() == null) {
                builder.setProjectId("test-project");
            }
        }
        try {
            return builder.build().getService();
        } catch (RuntimeException e) {
            throw new StorageException("gcs: cannot set up the client (credentials: "
                    + (options.credentialsFile() != null ? "credentials_file" : "Application Default Credentials")
                    + "): " + e.getMessage(), e);
        }
    }

    private static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private void createBucket() throws StorageException {
        try {
            Bucket existing = storage.get(options.bucket());
            if (existing == null) {
                storage.create(BucketInfo.of(options.bucket()));
            }
        } catch (com.google.cloud.storage.StorageException e) {
            if (e.getCode() != 409) { // created meanwhile by someone else
                throw failure("create bucket", null, e);
            }
        } catch (RuntimeException e) {
            throw failure("create bucket", null, e);
        }
    }

    // ---- list

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        BlobNames.checkPrefix(prefix);
        if (marker == null) {
            return doList(options.globalPrefix() + prefix);
        }
        return marker.list(prefix, this::loadMarker, p -> doList(options.globalPrefix() + p));
    }

    private List<BlobInfo> doList(String fullPrefix) throws StorageException {
        int strip = options.globalPrefix().length();
        List<BlobInfo> out = new ArrayList<>();
        try {
            Iterable<Blob> blobs = fullPrefix.isEmpty()
                    ? storage.list(options.bucket()).iterateAll()
                    : storage.list(options.bucket(), Storage.BlobListOption.prefix(fullPrefix)).iterateAll();
            // iterateAll follows the page tokens to the end.
            for (Blob blob : blobs) {
                String full = blob.getName();
                if (full.equals(markerName) || !full.startsWith(options.globalPrefix())) {
                    continue;
                }
                String name = full.substring(strip);
                if (!BlobNames.isValid(name)) {
                    continue; // not ours: "folder" placeholders, hidden or unaddressable names
                }
                Long size = blob.getSize();
                OffsetDateTime updated = blob.getUpdateTimeOffsetDateTime();
                out.add(new BlobInfo(name, size == null ? 0 : size, updated == null ? null : updated.toInstant()));
            }
        } catch (RuntimeException e) {
            throw failure("list", fullPrefix.isEmpty() ? "(all)" : fullPrefix + "*", e);
        }
        out.sort(Comparator.comparing(BlobInfo::name));
        return out;
    }

    private String loadMarker() throws StorageException {
        try {
            byte[] content = storage.readAllBytes(BlobId.of(options.bucket(), markerName));
            return new String(content, StandardCharsets.UTF_8);
        } catch (com.google.cloud.storage.StorageException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw failure("read update marker", markerName, e);
        } catch (RuntimeException e) {
            throw failure("read update marker", markerName, e);
        }
    }

    private void setMarker(String fullName, Long generation, boolean deleted) throws StorageException {
        if (marker == null) {
            return;
        }
        String content = UpdateMarker.content(fullName, generation == null ? null : generation.toString(), deleted);
        try {
            storage.create(com.google.cloud.storage.BlobInfo.newBuilder(options.bucket(), markerName).build(),
                    content.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw failure("write update marker", markerName, e);
        }
        marker.changed(content);
    }

    // ---- read

    @Override
    public InputStream read(String name) throws IOException {
        BlobNames.check(name);
        String full = options.globalPrefix() + name;
        ReadChannel channel;
        try {
            Blob blob = storage.get(BlobId.of(options.bucket(), full));
            if (blob == null) {
                throw new BlobNotFoundException(name);
            }
            channel = storage.reader(blob.getBlobId() != null && blob.getGeneration() != null
                    ? BlobId.of(options.bucket(), full, blob.getGeneration())
                    : BlobId.of(options.bucket(), full));
            channel.setChunkSize(options.chunkSize());
        } catch (RuntimeException e) {
            throw failure("read", full, e);
        }
        InputStream in = Channels.newInputStream(channel);
        return new java.io.FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw new StorageException("gcs: read " + full + " in bucket \"" + options.bucket() + "\" failed: " + e.getMessage(), e);
                }
            }
        };
    }

    // ---- write

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        BlobNames.check(name);
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (unknown) or at least 0, got " + size);
        }
        String full = options.globalPrefix() + name;
        data = new DeclaredSizeInputStream(data, size, "gcs: write of " + full);
        com.google.cloud.storage.BlobInfo info = com.google.cloud.storage.BlobInfo.newBuilder(options.bucket(), full).build();
        int chunk = options.chunkSize();
        int limit = (int) Math.min(chunk, size < 0 ? chunk : size + 1);
        // allocated as the data comes: a small snapshot (stored with its size unknown) takes memory for its size, not a chunk's
        byte[] first = data.readNBytes(limit);
        int n = first.length;
        boolean end = n < limit;
        if (!end && n == size) {
            // Exactly the declared size in one chunk: anything more throws here.
            end = data.read() < 0;
        }
        Long generation;
        if (end) {
            try {
                generation = storage.create(info, first, 0, n).getGeneration();
            } catch (RuntimeException e) {
                throw failure("write", full, e);
            }
        } else {
            generation = resumable(info, full, data, first, n);
        }
        setMarker(full, generation, false);
    }

    private Long resumable(com.google.cloud.storage.BlobInfo info, String full, InputStream data, byte[] first,
            int firstLength) throws IOException {
        WriteChannel channel;
        try {
            channel = storage.writer(info);
            channel.setChunkSize(options.chunkSize());
        } catch (RuntimeException e) {
            throw failure("write", full, e);
        }
        long total = 0;
        byte[] buf = first;
        int n = firstLength;
        // On any failure below the channel is dropped without close(): the upload is never
        // finalized, so no object appears.
        try {
            while (n > 0) {
                total += n;
                ByteBuffer bytes = ByteBuffer.wrap(buf, 0, n);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                n = data.readNBytes(buf, 0, buf.length);
            }
            channel.close();
        } catch (RuntimeException e) {
            throw failure("write", full, e);
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            if (e.getCause() instanceof RuntimeException r && !(e.getCause() instanceof java.io.UncheckedIOException)) {
                throw failure("write", full, r);
            }
            throw e;
        }
        try {
            Blob written = storage.get(info.getBlobId());
            return written == null ? null : written.getGeneration();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "gcs: cannot read the generation of " + full, e);
            return null;
        }
    }

    // ---- delete

    @Override
    public void delete(String name) throws IOException {
        BlobNames.check(name);
        String full = options.globalPrefix() + name;
        try {
            storage.delete(BlobId.of(options.bucket(), full)); // false when absent: fine
        } catch (RuntimeException e) {
            throw failure("delete", full, e);
        }
        setMarker(full, null, true);
    }

    @Override
    public void close() throws IOException {
        if (ownsClient) {
            try {
                storage.close();
            } catch (Exception e) {
                throw new StorageException("gcs: closing the client failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "gcs backend gs://" + options.bucket() + "/" + options.globalPrefix();
    }

    // ---- errors

    private StorageException failure(String op, String full, RuntimeException e) {
        String where = "bucket \"" + options.bucket() + "\"";
        String what = full == null ? "" : " " + full;
        if (e instanceof com.google.cloud.storage.StorageException se) {
            int code = se.getCode();
            if (code == 404 && full != null && op.equals("read")) {
                BlobNotFoundException nf = new BlobNotFoundException(full.substring(options.globalPrefix().length()));
                nf.initCause(e);
                return nf;
            }
            if (code == 404) {
                return new StorageException("gcs: " + op + what + ": " + where + " does not exist"
                        + (options.createBucket() ? "" : "; create it, or set create_bucket: true") + " (" + se.getMessage() + ")", e);
            }
            if (code == 401 || code == 403) {
                return new StorageException("gcs: " + op + what + ": access denied to " + where + " (HTTP " + code + " "
                        + se.getMessage() + "); check credentials_file or the Application Default Credentials, and the "
                        + "principal's roles on the bucket", e);
            }
            if (code == 0) { // no HTTP response: DNS, connect, TLS, timeout
                Throwable root = se;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                return new StorageException("gcs: " + op + what + " in " + where + " failed: cannot reach "
                        + (options.endpoint() == null ? "storage.googleapis.com" : options.endpoint()) + ": " + root, e);
            }
            return new StorageException("gcs: " + op + what + " in " + where + " failed: HTTP " + code + " " + se.getMessage(), e);
        }
        return new StorageException("gcs: " + op + what + " in " + where + " failed: " + e, e);
    }

    GcsOptions options() {
        return options;
    }
}
