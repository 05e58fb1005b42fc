package io.thunderstream.backend.s3;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;
import io.thunderstream.api.UpdateMarker;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.CreateBucketConfiguration;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket (and a prefix in it, {@code global_prefix}) as a {@link StorageBackend}. Blob
 * {@code name} is object {@code global_prefix + name}; callers never see the prefix.
 */
final class S3Backend implements StorageBackend {

    private final S3Options options;
    private final SdkHttpClient http;
    private final ScheduledThreadPoolExecutor callTimeouts;
    private final S3Client s3;
    private final S3Errors errors;
    private final Uploader uploader;
    private final UpdateMarker marker;
    private final String markerKey;

    private S3Backend(S3Options options, List<ExecutionInterceptor> interceptors) {
        this.options = options;
        this.errors = new S3Errors(options);
        this.http = S3Clients.httpClient(options);
        this.callTimeouts = S3Clients.callTimeoutScheduler();
        this.s3 = S3Clients.s3Client(options, http, S3Clients.credentials(options), callTimeouts, interceptors);
        this.uploader = new Uploader(s3, options, errors);
        this.marker = options.useUpdateMarker ? new UpdateMarker(options.updateMarkerForceListInterval) : null;
        this.markerKey = options.globalPrefix + UpdateMarker.NAME;
    }

    /** Opens the backend; with {@code create_bucket}, creates the bucket first (within {@code init_timeout}). */
    static S3Backend open(S3Options options, List<ExecutionInterceptor> interceptors) throws StorageException {
        S3Backend backend = new S3Backend(options, interceptors);
        try {
            if (options.createBucket) {
                backend.createBucket();
            }
            return backend;
        } catch (StorageException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private void createBucket() throws StorageException {
        CreateBucketRequest.Builder request = CreateBucketRequest.builder().bucket(options.bucket)
                .overrideConfiguration(c -> c.apiCallTimeout(options.initTimeout));
        if (!options.region.equals("us-east-1")) {
            request.createBucketConfiguration(CreateBucketConfiguration.builder()
                    .locationConstraint(BucketLocationConstraint.fromValue(options.region)).build());
        }
        try {
            s3.createBucket(request.build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // The bucket is there and ours: what we wanted.
        } catch (SdkException e) {
            throw errors.storageException("create bucket", null, e);
        }
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        BlobNames.checkPrefix(prefix);
        if (marker == null) {
            return listObjects(prefix);
        }
        return marker.list(prefix, this::readMarker, this::listObjects);
    }

    /** Pages through ListObjectsV2 to the end; sorted by name, the marker and foreign names left out. */
    private List<BlobInfo> listObjects(String prefix) throws StorageException {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(options.bucket)
                .prefix(options.globalPrefix + prefix);
        if (options.hideFolders) {
            request.delimiter("/");
        }
        List<BlobInfo> blobs = new ArrayList<>();
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request.build())) {
                for (S3Object object : page.contents()) {
                    String name = object.key().substring(options.globalPrefix.length());
                    // Objects this API could not read or delete anyway (folder placeholders, dot names) are skipped.
                    if (object.key().equals(markerKey) || !BlobNames.isValid(name)) {
                        continue;
                    }
                    blobs.add(new BlobInfo(name, object.size() == null ? 0 : object.size(), object.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw errors.storageException("list", prefix, e);
        }
        blobs.sort(Comparator.comparing(BlobInfo::name));
        return blobs;
    }

    @Override
    public InputStream read(String name) throws IOException {
        BlobNames.check(name);
        try {
            return new ObjectStream(name, s3.getObject(b -> b.bucket(options.bucket).key(options.globalPrefix + name)));
        } catch (SdkException e) {
            if (isNoSuchKey(e)) {
                throw new BlobNotFoundException(name);
            }
            throw errors.storageException("read", name, e);
        }
    }

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        BlobNames.check(name);
        String key = options.globalPrefix + name;
        String etag = uploader.upload(name, key, data, size);
        if (marker != null) {
            writeMarker(name, UpdateMarker.content(key, etag, false));
        }
    }

    @Override
    public void delete(String name) throws IOException {
        BlobNames.check(name);
        String key = options.globalPrefix + name;
        try {
            s3.deleteObject(b -> b.bucket(options.bucket).key(key));
        } catch (SdkException e) {
            if (!isNoSuchKey(e)) {
                throw errors.storageException("delete", name, e);
            }
        }
        if (marker != null) {
            writeMarker(name, UpdateMarker.content(key, null, true));
        }
    }

    /** The marker now in the bucket, or null when there is none. */
    private String readMarker() throws StorageException {
        try {
            return new String(s3.getObjectAsBytes(b -> b.bucket(options.bucket).key(markerKey)).asByteArray(),
                    StandardCharsets.UTF_8);
        } catch (SdkException e) {
            if (isNoSuchKey(e)) {
                return null;
            }
            throw errors.storageException("read update marker", UpdateMarker.NAME, e);
        }
    }

    private void writeMarker(String name, String content) throws StorageException {
        try {
            s3.putObject(b -> b.bucket(options.bucket).key(markerKey),
                    software.amazon.awssdk.core.sync.RequestBody.fromString(content, StandardCharsets.UTF_8));
        } catch (SdkException e) {
            throw errors.storageException("write update marker after", name, e);
        }
        marker.changed(content);
    }

    private static boolean isNoSuchKey(SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            return "NoSuchKey".equals(code) || (s3.statusCode() == 404 && code == null);
        }
        return false;
    }

    @Override
    public void close() {
        s3.close();
        http.close();
        callTimeouts.shutdownNow();
    }

    /** The scheduler of this backend's call timeouts, for tests. */
    ScheduledThreadPoolExecutor callTimeouts() {
        return callTimeouts;
    }

    @Override
    public String toString() {
        return "S3Backend[" + options + "]";
    }

    /**
     * An object's body. Closing before the end aborts the connection instead of reading the rest;
     * SDK failures while reading become {@link StorageException}s.
     */
    private final class ObjectStream extends FilterInputStream {
        private final String name;
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean ended;

        ObjectStream(String name, ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.name = name;
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                ended |= b < 0;
                return b;
            } catch (SdkException e) {
                throw errors.storageException("read", name, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                ended |= n < 0;
                return n;
            } catch (SdkException e) {
                throw errors.storageException("read", name, e);
            }
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                response.abort();
            }
            super.close();
        }
    }
}
