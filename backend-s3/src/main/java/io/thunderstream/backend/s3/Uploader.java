package io.thunderstream.backend.s3;

import io.thunderstream.api.DeclaredSizeInputStream;
import io.thunderstream.api.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Stores one object from a stream: a single PUT up to {@code multipart_threshold}, a multipart
 * upload above it (or when the size is unknown and the data turns out bigger). Only one part is
 * in memory at a time. S3 makes an object visible only when its PUT or its multipart completion
 * succeeds, so a failure, or data of another length than announced, leaves no object behind;
 * a started multipart upload is aborted so that its parts do not linger (and cost).
 */
final class Uploader {

    /** S3 allows at most this many parts in one upload. */
    private static final int MAX_PARTS = 10_000;

    private final S3Client s3;
    private final S3Options options;
    private final S3Errors errors;

    Uploader(S3Client s3, S3Options options, S3Errors errors) {
        this.s3 = s3;
        this.options = options;
        this.errors = errors;
    }

    /** Stores {@code data} under {@code key}; returns the new object's ETag. */
    String upload(String name, String key, InputStream data, long size) throws IOException {
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (unknown) or >= 0, got " + size);
        }
        // Data longer or shorter than the declared size throws while it is read, before the PUT or the completion.
        data = new DeclaredSizeInputStream(data, size, "s3 write \"" + name + "\"");
        boolean onePut = size >= 0 && size <= options.multipartThreshold;
        int limit = onePut ? (int) size : partSize(size);
        // readNBytes allocates as the data comes: a snapshot of unknown size takes memory for its size, not a part's
        byte[] first = read(name, data, in -> in.readNBytes(limit));
        if (onePut) {
            read(name, data, InputStream::read); // after exactly the declared size: one byte more throws
        }
        if (onePut || first.length < limit) {
            return put(name, key, first, first.length);
        }
        return multipart(name, key, data, first);
    }

    private String put(String name, String key, byte[] bytes, int length) throws StorageException {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(options.bucket).key(key)
                .contentLength((long) length);
        options.storageClass.ifPresent(request::storageClass);
        if (!options.disableContentMd5) {
            request.contentMD5(md5(bytes, length));
        }
        try {
            return s3.putObject(request.build(), body(bytes, length)).eTag();
        } catch (SdkException e) {
            throw errors.storageException("write", name, e);
        }
    }

    /** {@code buffer} holds the first full part; the rest is read from {@code data} part by part into it. */
    private String multipart(String name, String key, InputStream data, byte[] buffer) throws IOException {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(options.bucket).key(key);
        options.storageClass.ifPresent(create::storageClass);
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(create.build()).uploadId();
        } catch (SdkException e) {
            throw errors.storageException("write (multipart start)", name, e);
        }
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int n = buffer.length;
            while (n > 0) {
                parts.add(uploadPart(name, key, uploadId, parts.size() + 1, buffer, n));
                n = read(name, data, in -> in.readNBytes(buffer, 0, buffer.length));
            }
            String etag = s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                    .bucket(options.bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build()).eTag();
            completed = true;
            return etag;
        } catch (SdkException e) {
            throw errors.storageException("write (multipart)", name, e);
        } finally {
            if (!completed) {
                abort(key, uploadId);
            }
        }
    }

    private CompletedPart uploadPart(String name, String key, String uploadId, int number, byte[] buffer, int length)
            throws StorageException {
        if (number > MAX_PARTS) {
            throw new StorageException("s3 write \"" + name + "\": data exceeds " + MAX_PARTS + " parts of "
                    + buffer.length + " bytes; raise multipart_threshold");
        }
        UploadPartRequest.Builder request = UploadPartRequest.builder().bucket(options.bucket).key(key)
                .uploadId(uploadId).partNumber(number).contentLength((long) length);
        if (!options.disableContentMd5) {
            request.contentMD5(md5(buffer, length));
        }
        String etag = s3.uploadPart(request.build(), body(buffer, length)).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(options.bucket).key(key)
                    .uploadId(uploadId).build());
        } catch (SdkException ignored) {
            // The write already failed with the real reason; a lifecycle rule
            // (AbortIncompleteMultipartUpload) is the backstop for this rare case.
        }
    }

    /** Parts as large as the threshold, larger when a known size would need more than 10,000 of them. */
    private int partSize(long size) {
        long part = options.multipartThreshold;
        if (size > 0) {
            part = Math.max(part, (size + MAX_PARTS - 1) / MAX_PARTS);
        }
        if (part > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("blob of " + size + " bytes is too large for S3 multipart upload");
        }
        return (int) part;
    }

    /** The SDK may send a body more than once (retries): give it a fresh stream over the same bytes, no copy. */
    private static RequestBody body(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream");
    }

    private interface Read<T> {
        T from(InputStream data) throws IOException;
    }

    /**
     * Reads from the data to store; a failure names the write (the declared-size check, a
     * StorageException, names it already).
     */
    private static <T> T read(String name, InputStream data, Read<T> read) throws StorageException {
        try {
            return read.from(data);
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException("s3 write \"" + name + "\": reading the data to store failed: " + e.getMessage(), e);
        }
    }

    private static String md5(byte[] bytes, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes, 0, length);
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
