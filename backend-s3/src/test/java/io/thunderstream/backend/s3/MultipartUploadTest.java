package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Writes above {@code multipart_threshold} (5 MB here, to keep the blobs small) go up in parts. */
class MultipartUploadTest {

    private static final int MIB = 1 << 20;

    private S3ProxyServer server;
    private String bucket;
    private RequestCounter requests;
    private S3Backend backend;

    @BeforeEach
    void open() throws Exception {
        server = S3ProxyServer.get();
        bucket = server.newBucket();
        requests = new RequestCounter();
        Map<String, Object> options = server.options(bucket);
        options.put("multipart_threshold", "5MB");
        backend = S3Backend.open(S3Options.from(StorageConfig.of("s3", options)), List.of(requests));
    }

    @AfterEach
    void close() {
        backend.close();
        server.deleteBucket(bucket);
    }

    @Test
    void smallBlobIsOnePut() throws IOException {
        backend.write("small", bytes(5 * MIB, 1));
        assertThat(requests.count("PutObject")).isEqualTo(1);
        assertThat(requests.count("CreateMultipartUpload")).isZero();
    }

    @Test
    void knownSizeAboveThresholdGoesInParts() throws IOException {
        byte[] data = bytes(12 * MIB + 3, 2);
        backend.write("big", new ByteArrayInputStream(data), data.length);
        assertThat(requests.count("CreateMultipartUpload")).isEqualTo(1);
        assertThat(requests.count("UploadPart")).isEqualTo(3);
        assertThat(requests.count("CompleteMultipartUpload")).isEqualTo(1);
        assertThat(requests.count("PutObject")).isZero();
        assertThat(backend.readAllBytes("big")).isEqualTo(data);
    }

    @Test
    void unknownSizeIsBufferedOnePartAtATime() throws IOException {
        byte[] data = bytes(11 * MIB, 3);
        backend.write("unsized", new ByteArrayInputStream(data), -1);
        assertThat(requests.count("UploadPart")).isEqualTo(3);
        assertThat(backend.readAllBytes("unsized")).isEqualTo(data);
        assertThat(backend.list("")).extracting(b -> b.size()).containsExactly((long) data.length);
    }

    @Test
    void unknownSizeBelowThresholdIsOnePut() throws IOException {
        byte[] data = bytes(MIB, 4);
        backend.write("unsized-small", new ByteArrayInputStream(data), -1);
        assertThat(requests.count("PutObject")).isEqualTo(1);
        assertThat(requests.count("CreateMultipartUpload")).isZero();
        assertThat(backend.readAllBytes("unsized-small")).isEqualTo(data);
    }

    @Test
    void failedStreamAbortsTheUploadAndLeavesNothing() throws Exception {
        InputStream breaksAfterTwoParts = new SequenceInputStream(new ByteArrayInputStream(bytes(11 * MIB, 5)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("source broke on purpose");
                    }
                });
        assertThatThrownBy(() -> backend.write("broken", breaksAfterTwoParts, 20 * MIB))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("source broke on purpose");
        assertThat(requests.count("UploadPart")).isEqualTo(2);
        assertThat(requests.count("AbortMultipartUpload")).isEqualTo(1);
        assertThat(pendingUploads()).isEmpty();
        assertThat(backend.list("")).isEmpty();
    }

    @Test
    void longerDataThanAnnouncedIsRefusedAndAborted() throws Exception {
        assertThatThrownBy(() -> backend.write("long", new ByteArrayInputStream(bytes(11 * MIB, 6)), 10 * MIB))
                .isInstanceOf(StorageException.class)
                .hasMessage("s3 write \"long\" aborted: the data holds more than the declared " + 10 * MIB
                        + " bytes; nothing was stored");
        assertThat(requests.count("UploadPart")).isEqualTo(2);
        assertThat(requests.count("AbortMultipartUpload")).isEqualTo(1);
        assertThat(pendingUploads()).isEmpty();
        assertThat(backend.list("")).isEmpty();
    }

    @Test
    void shorterDataThanAnnouncedIsRefusedAndAborted() throws Exception {
        assertThatThrownBy(() -> backend.write("short", new ByteArrayInputStream(bytes(11 * MIB, 7)), 12 * MIB))
                .isInstanceOf(StorageException.class)
                .hasMessage("s3 write \"short\" aborted: the data holds " + 11 * MIB + " bytes, not the declared "
                        + 12 * MIB + "; nothing was stored");
        assertThat(requests.count("UploadPart")).isEqualTo(2);
        assertThat(requests.count("AbortMultipartUpload")).isEqualTo(1);
        assertThat(pendingUploads()).isEmpty();
        assertThat(backend.list("")).isEmpty();
    }

    /** Control for the two tests above: an upload left open is seen by {@link #pendingUploads}. */
    @Test
    void pendingUploadsAreVisible() {
        try (S3Client s3 = rawClient()) {
            String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("left-open")).uploadId();
            assertThat(pendingUploads()).containsExactly("left-open");
            s3.abortMultipartUpload(b -> b.bucket(bucket).key("left-open").uploadId(id));
        }
    }

    /** Multipart uploads S3 still holds for the bucket, asked of S3 itself. */
    private List<String> pendingUploads() {
        try (S3Client s3 = rawClient()) {
            return s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().map(u -> u.key()).toList();
        }
    }

    private S3Client rawClient() {
        return S3Client.builder()
                .endpointOverride(java.net.URI.create(server.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(software.amazon.awssdk.http.apache5.Apache5HttpClient.create())
                .build();
    }

    private static byte[] bytes(int size, int seed) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) (i * 31 + seed * 17 + (i >>> 8));
        }
        return out;
    }
}
