package io.thunderstream.backend.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.DeclaredSizeInputStream;
import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.TlsSettings;
import io.thunderstream.api.UpdateMarker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import reactor.netty.resources.ConnectionProvider;

/**
 * Azure Blob Storage, one container, optionally under a global prefix.
 *
 * <p>Writes are atomic: a blob that fits in one block goes up in a single Put Blob; a larger one
 * is staged block by block (uncommitted blocks are invisible) and appears whole with Put Block
 * List, which is never sent when the source fails or holds the wrong number of bytes. Uncommitted
 * blocks of a failed write are discarded by Azure (after at most a week, or at the next commit
 * to that name). Reads stream in ranges pinned to the blob's ETag, so an overwrite during a read
 * fails the read instead of mixing two versions.
 */
final class AzureBackend implements StorageBackend {

    private static final System.Logger LOG = System.getLogger(AzureBackend.class.getName());


    private final AzureOptions options;
    private final HttpClient http;
    private final TokenCredential tokenCredential;
    private final String markerName;
    private final UpdateMarker marker;
    private final ExecutorService uploads;

    private final Object keyLock = new Object();
    private volatile BlobContainerClient container;
    private String currentKey;
    private long nextKeyCheckNanos;


    private AzureBackend(AzureOptions options) throws StorageException {
        this.options = options;
        this.http = httpClient(options);
        this.markerName = options.globalPrefix() + UpdateMarker.NAME;
        this.marker = options.useUpdateMarker() ? new UpdateMarker(options.updateMarkerForceListInterval()) : null;
        if (options.useSharedKey()) {
            this.tokenCredential = null;
            this.currentKey = options.accountKeyFile() == null ? options.accountKey() : readKeyFile();
            this.nextKeyCheckNanos = System.nanoTime() + options.secretsRefreshInterval().toNanos();
        } else {
            this.tokenCredential = new DefaultAzureCredentialBuilder().build();
        }
        this.container = buildClient(currentKey);
        AtomicInteger threads = new AtomicInteger();
        this.uploads = options.concurrency() <= 1 ? null : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "azure-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static AzureBackend open(AzureOptions options) throws StorageException {
        AzureBackend backend = new AzureBackend(options);
        if (options.createContainer()) {
            backend.createContainer();
        }
        return backend;
    }

    private BlobContainerClient buildClient(String key) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .endpoint(options.endpoint().toString())
                .httpClient(http)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, options.maxTries(), (Duration) null,
                        Duration.ofMillis(800), Duration.ofSeconds(60), null));
        if (options.useSharedKey()) {
            builder.credential(new StorageSharedKeyCredential(options.accountName(), key));
        } else {
            builder.credential(tokenCredential);
        }
        return builder.buildClient().getBlobContainerClient(options.container());
    }

    private String readKeyFile() throws StorageException {
        try {
            // Go's base64 decoder skips line breaks; a key file usually ends with one.
            return Files.readString(options.accountKeyFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new StorageException("azure: cannot read account_key_file " + FileErrors.describe(options.accountKeyFile(), e), e);
        }
    }

    /** The client, rebuilt when account_key_file holds a new key (checked every secrets_refresh_interval). */
    private BlobContainerClient client() {
        if (options.accountKeyFile() == null) {
            return container;
        }
        synchronized (keyLock) {
            long now = System.nanoTime();
            if (now - nextKeyCheckNanos >= 0) {
                nextKeyCheckNanos = now + options.secretsRefreshInterval().toNanos();
                try {
                    String key = readKeyFile();
                    if (!key.equals(currentKey)) {
                        container = buildClient(key);
                        currentKey = key;
                        LOG.log(System.Logger.Level.INFO, "azure: updated account key from account_key_file {0}",
                                options.accountKeyFile());
                    }
                } catch (StorageException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "azure: keeping the current account key: " + e.getMessage());
                }
            }
            return container;
        }
    }

    private static HttpClient httpClient(AzureOptions options) throws StorageConfigException {
        if (!options.tls().configured()) {
            return HttpClient.createDefault(new HttpClientOptions()
                    .setConnectTimeout(options.dialTimeout())
                    .setConnectionIdleTimeout(options.idleConnTimeout())
                    .setMaximumConnectionPoolSize(options.maxIdleConns()));
        }
        // The SDK's HttpClientOptions carry no TLS settings: its Netty client gets an SslContext of ours.
        SslContextBuilder ssl = SslContextBuilder.forClient();
        TlsSettings tls = options.tls();
        if (tls.insecureSkipVerify()) {
            ssl.trustManager(InsecureTrustManagerFactory.INSTANCE); // only when asked: any certificate, any host
        } else {
            tls.trustManagers().ifPresent(managers -> ssl.trustManager(managers[0])); // a PKIX factory makes one
        }
        tls.keyManagers().ifPresent(managers -> ssl.keyManager(managers[0]));
        SslContext context;
        try {
            context = ssl.build();
        } catch (SSLException e) {
            throw new StorageConfigException("storage (type azure): tls: " + e.getMessage());
        }
        ConnectionProvider pool = ConnectionProvider.builder("thunderstream-azure")
                .maxConnections(options.maxIdleConns())
                .maxIdleTime(options.idleConnTimeout())
                .build();
        return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create(pool)
                .secure(spec -> spec.sslContext(context)))
                .connectTimeout(options.dialTimeout())
                .build();
    }

    private void createContainer() throws StorageException {
        try {
            client().createIfNotExistsWithResponse(null, options.initTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            throw failure("create container", null, e);
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
            ListBlobsOptions request = new ListBlobsOptions().setPrefix(fullPrefix).setMaxResultsPerPage(5000);
            // The iterable fetches every page, following the continuation markers.
            for (BlobItem item : client().listBlobs(request, options.clientTimeout())) {
                String full = item.getName();
                if (full.equals(markerName) || Boolean.TRUE.equals(item.isPrefix()) || !full.startsWith(options.globalPrefix())) {
                    continue;
                }
                String name = full.substring(strip);
                if (!BlobNames.isValid(name)) {
                    continue; // not ours: hidden or otherwise unaddressable names
                }
                Long size = item.getProperties() == null ? null : item.getProperties().getContentLength();
                Instant modified = item.getProperties() == null || item.getProperties().getLastModified() == null ? null
                        : item.getProperties().getLastModified().toInstant();
                out.add(new BlobInfo(name, size == null ? 0 : size, modified));
            }
        } catch (RuntimeException e) {
            throw failure("list", fullPrefix.isEmpty() ? "(all)" : fullPrefix + "*", e);
        }
        out.sort(Comparator.comparing(BlobInfo::name));
        return out;
    }

    private String loadMarker() throws StorageException {
        try {
            return client().getBlobClient(markerName).downloadContent().toString();
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_NOT_FOUND) {
                return null;
            }
            throw failure("read update marker", markerName, e);
        } catch (RuntimeException e) {
            throw failure("read update marker", markerName, e);
        }
    }

    private void setMarker(String fullName, String etag, boolean deleted) throws StorageException {
        if (marker == null) {
            return;
        }
        String content = UpdateMarker.content(fullName, etag, deleted);
        try {
            client().getBlobClient(markerName).getBlockBlobClient().uploadWithResponse(
                    new BlockBlobSimpleUploadOptions(BinaryData.fromString(content)), options.clientTimeout(), Context.NONE);
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
        try {
            InputStream in = client().getBlobClient(full).openInputStream(new BlobInputStreamOptions().setBlockSize(4 << 20));
            return new FailureNamingStream(in, full);
        } catch (RuntimeException e) {
            throw failure("read", full, e);
        }
    }

    /** Turns the SDK's unchecked failures during reading into IOExceptions naming the blob. */
    private final class FailureNamingStream extends java.io.FilterInputStream {
        private final String full;

        FailureNamingStream(InputStream in, String full) {
            super(in);
            this.full = full;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw failure("read", full, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw failure("read", full, e);
            }
        }
    }

    // ---- write

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        BlobNames.check(name);
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (unknown) or at least 0, got " + size);
        }
        String full = options.globalPrefix() + name;
        data = new DeclaredSizeInputStream(data, size, "azure: write of " + full);
        BlockBlobClient blob = client().getBlobClient(full).getBlockBlobClient();
        int blockSize = options.blockSize();
        int limit = (int) Math.min(blockSize, size < 0 ? blockSize : size + 1);
        // allocated as the data comes: a small snapshot (stored with its size unknown) takes memory for its size, not a block's
        byte[] first = data.readNBytes(limit);
        int n = first.length;
        boolean end = n < limit;
        if (!end && n == size) {
            // Exactly the declared size in one block: anything more throws here.
            end = data.read() < 0;
        }
        String etag;
        if (end) {
            etag = putBlob(blob, full, first, n);
        } else {
            etag = putBlocks(blob, full, data, first, n);
        }
        setMarker(full, etag, false);
    }

    private String putBlob(BlockBlobClient blob, String full, byte[] buf, int n) throws StorageException {
        try {
            return blob.uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(copy(buf, n)))
                    .setContentMd5(md5(buf, n)), options.clientTimeout(), Context.NONE).getValue().getETag();
        } catch (RuntimeException e) {
            throw failure("write", full, e);
        }
    }

    private String putBlocks(BlockBlobClient blob, String full, InputStream data, byte[] first, int firstLength)
            throws IOException {
        String upload = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        Deque<Future<?>> pending = new ArrayDeque<>();
        long total = 0;
        byte[] buf = first;
        int n = firstLength;
        try {
            while (n > 0) {
                total += n;
                String id = blockId(upload, ids.size());
                ids.add(id);
                byte[] block = n == buf.length ? buf : copy(buf, n);
                if (uploads == null) {
                    stage(blob, full, id, block);
                } else {
                    pending.add(uploads.submit(() -> {
                        stage(blob, full, id, block);
                        return null;
                    }));
                    while (pending.size() >= options.concurrency()) {
                        await(pending.removeFirst(), full);
                    }
                }
                buf = new byte[options.blockSize()];
                n = data.readNBytes(buf, 0, buf.length);
            }
            while (!pending.isEmpty()) {
                await(pending.removeFirst(), full);
            }
        } catch (IOException | RuntimeException e) {
            pending.forEach(f -> f.cancel(true));
            throw e;
        }
        try {
            return blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids), options.clientTimeout(),
                    Context.NONE).getValue().getETag();
        } catch (RuntimeException e) {
            throw failure("write", full, e);
        }
    }

    private void stage(BlockBlobClient blob, String full, String id, byte[] block) throws StorageException {
        try {
            blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(block))
                    .setContentMd5(md5(block, block.length)), options.clientTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            throw failure("write (stage block)", full, e);
        }
    }

    private static void await(Future<?> f, String full) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("azure: write of " + full + " interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new StorageException("azure: write of " + full + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Block ids must all have the same length within a blob: 16 bytes of upload id and 8 of index. */
    private static String blockId(String upload, int index) {
        UUID u = UUID.fromString(upload);
        ByteBuffer b = ByteBuffer.allocate(24).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).putLong(index);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** The first {@code n} bytes of {@code buf}, without a copy when that is all of it. */
    private static byte[] copy(byte[] buf, int n) {
        return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
    }

    private static byte[] md5(byte[] buf, int n) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(buf, 0, n);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- delete

    @Override
    public void delete(String name) throws IOException {
        BlobNames.check(name);
        String full = options.globalPrefix() + name;
        try {
            client().getBlobClient(full).deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null,
                    options.clientTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            throw failure("delete", full, e);
        }
        setMarker(full, null, true);
    }

    @Override
    public void close() {
        if (uploads != null) {
            uploads.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "azure backend " + options.endpoint() + "/" + options.container() + "/" + options.globalPrefix();
    }

    // ---- errors

    /** A StorageException naming the operation, the container and the blob; never a key. */
    StorageException failure(String op, String full, RuntimeException e) {
        String where = "container \"" + options.container() + "\" at " + options.endpoint();
        String what = full == null ? "" : " " + full;
        if (e instanceof BlobStorageException bse) {
            BlobErrorCode code = bse.getErrorCode();
            if (code == BlobErrorCode.BLOB_NOT_FOUND && op.equals("read")) {
                return notFound(full.substring(options.globalPrefix().length()), e);
            }
            if (code == BlobErrorCode.CONTAINER_NOT_FOUND) {
                return new StorageException("azure: " + op + what + ": " + where + " does not exist"
                        + (options.createContainer() ? "" : "; create it, or set create_container: true"), e);
            }
            if (bse.getStatusCode() == 403 || code == BlobErrorCode.AUTHENTICATION_FAILED) {
                return new StorageException("azure: " + op + what + ": access denied to " + where + " (HTTP "
                        + bse.getStatusCode() + " " + code + "); check account_name and "
                        + (options.useSharedKey() ? "account_key / account_key_file" : "the identity's role assignment"), e);
            }
            return new StorageException("azure: " + op + what + " in " + where + " failed: HTTP " + bse.getStatusCode()
                    + " " + code, e);
        }
        if (e instanceof UncheckedIOException u) {
            return new StorageException("azure: " + op + what + " in " + where + " failed: " + u.getCause(), u.getCause());
        }
        Throwable root = e;
        boolean tls = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            tls |= t instanceof SSLException;
            root = t;
        }
        if (tls) {
            return new StorageException("azure: " + op + what + " in " + where + " failed: TLS failure: " + root.getMessage()
                    + "; for a server certificate of a private CA, set tls.ca_file", e);
        }
        return new StorageException("azure: " + op + what + " in " + where + " failed: " + e, e);
    }

    private static BlobNotFoundException notFound(String name, Throwable cause) {
        BlobNotFoundException e = new BlobNotFoundException(name);
        e.initCause(cause);
        return e;
    }

    AzureOptions options() {
        return options;
    }

    /** For tests: the same backend with another block size. */
    static AzureBackend open(AzureOptions options, int blockSize) throws StorageException {
        return open(options.tuned(blockSize, options.maxTries()));
    }
}
