package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With use_update_marker, writers store an update marker and readers skip the LIST while it is
 * unchanged, yet see every change at their next listing.
 */
class UpdateMarkerTest {

    private S3ProxyServer server;
    private String bucket;
    private RequestCounter readerRequests;
    private S3Backend writer;
    private S3Backend reader;

    @BeforeEach
    void open() throws Exception {
        server = S3ProxyServer.get();
        bucket = server.newBucket();
        readerRequests = new RequestCounter();
        writer = S3Backend.open(options("1h"), List.of());
        reader = S3Backend.open(options("1h"), List.of(readerRequests));
    }

    @AfterEach
    void close() {
        writer.close();
        reader.close();
        server.deleteBucket(bucket);
    }

    private S3Options options(String forceListInterval) {
        Map<String, Object> options = server.options(bucket);
        options.put("global_prefix", "env1/");
        options.put("use_update_marker", true);
        options.put("update_marker_force_list_interval", forceListInterval);
        return S3Options.from(StorageConfig.of("s3", options));
    }

    @Test
    void listIsSkippedWhileTheMarkerIsUnchanged() throws Exception {
        writer.write("main__a__1.pb.gz", new byte[] {1});
        assertThat(names(reader.list("main__"))).containsExactly("main__a__1.pb.gz");
        assertThat(readerRequests.count("ListObjectsV2")).isEqualTo(1);

        for (int i = 0; i < 5; i++) {
            assertThat(names(reader.list("main__"))).containsExactly("main__a__1.pb.gz");
        }
        assertThat(names(reader.list(""))).containsExactly("main__a__1.pb.gz");
        assertThat(readerRequests.count("ListObjectsV2")).as("LISTs while idle").isEqualTo(1);
        assertThat(readerRequests.count("GetObject")).as("marker reads").isEqualTo(7);

        writer.write("main__b__1.pb.gz", new byte[] {2});
        assertThat(names(reader.list("main__"))).containsExactly("main__a__1.pb.gz", "main__b__1.pb.gz");
        assertThat(readerRequests.count("ListObjectsV2")).isEqualTo(2);

        writer.delete("main__a__1.pb.gz");
        assertThat(names(reader.list("main__"))).containsExactly("main__b__1.pb.gz");
        assertThat(readerRequests.count("ListObjectsV2")).isEqualTo(3);
    }

    @Test
    void ownWritesAreSeenAtOnce() throws Exception {
        assertThat(reader.list("")).isEmpty();
        reader.write("x", new byte[] {1});
        assertThat(names(reader.list(""))).containsExactly("x");
        reader.delete("x");
        assertThat(reader.list("")).isEmpty();
    }

    @Test
    void markerHasLightningStreamsNameAndFormatAndIsNotListed() throws Exception {
        writer.write("main__a__1.pb.gz", new byte[] {1});
        String marker = new String(server.blobStore.getBlob(bucket, "env1/update-marker").getPayload().openStream()
                .readAllBytes(), StandardCharsets.UTF_8);
        assertThat(marker).matches("env1/main__a__1\\.pb\\.gz:[^:]*:\\d+:false");
        writer.delete("main__a__1.pb.gz");
        marker = new String(server.blobStore.getBlob(bucket, "env1/update-marker").getPayload().openStream()
                .readAllBytes(), StandardCharsets.UTF_8);
        assertThat(marker).matches("env1/main__a__1\\.pb\\.gz::\\d+:true");
        assertThat(reader.list("")).isEmpty();
    }

    @Test
    void missingMarkerOrElapsedIntervalForcesTheList() throws Exception {
        RequestCounter requests = new RequestCounter();
        try (S3Backend eager = S3Backend.open(options("1ns"), List.of(requests))) {
            eager.list("");
            eager.list("");
            assertThat(requests.count("ListObjectsV2")).as("no marker yet").isEqualTo(2);
            writer.write("a", new byte[] {1});
            eager.list("");
            eager.list("");
            assertThat(requests.count("ListObjectsV2")).as("force-list interval passed").isEqualTo(4);
        }
    }

    private static List<String> names(List<BlobInfo> blobs) {
        return blobs.stream().map(BlobInfo::name).toList();
    }
}
