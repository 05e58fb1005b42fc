package io.thunderstream.engine.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.thunderstream.api.BlobInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receiver's per-instance metrics, from the storage listings, as Lightning Stream counts them. */
class SyncMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SyncMetrics metrics = new SyncMetrics(registry, "self");

    private static BlobInfo blob(String name) {
        return new BlobInfo(name, 100, Instant.now());
    }

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachInstancesNewestSnapshotIsReceivedOnceAndOurOwnOnlyAtTheFirstListing() throws Exception {
        metrics.storageListed("main", List.of(
                blob("main__peer__20260101-000000-000000000__GX.pb.gz"),
                blob("main__peer__20260101-000010-000000000__GX.pb.gz"),
                blob("main__self__20260101-000005-000000000__GX.pb.gz"),
                blob("shard__peer__20260101-000020-000000000__GX.pb.gz"),
                blob("not-a-snapshot")), 1);
        String first = scrape();
        String peer = "{lmdb=\"main\",syncer_instance=\"peer\"}";
        String self = "{lmdb=\"main\",syncer_instance=\"self\"}";
        assertThat(first).contains("lightningstream_receiver_snapshots_last_received_seconds" + peer + " 1.76722561E9",
                "lightningstream_receiver_snapshots_last_received_seconds" + self + " 1.767225605E9",
                "lightningstream_receiver_snapshots_last_received_age_seconds_count" + peer + " 1",
                "lightningstream_receiver_snapshots_last_received_age_seconds_count" + self + " 1",
                "lightningstream_receiver_snapshots_in_storage_count{lmdb=\"main\"} 5")
                .as("another LMDB's snapshots").doesNotContain("lmdb=\"main\",syncer_instance=\"shard\"");

        metrics.storageListed("main", List.of(
                blob("main__peer__20260101-000010-000000000__GX.pb.gz"),
                blob("main__peer__20260101-000030-000000000__GX.pb.gz"),
                blob("main__self__20260101-000040-000000000__GX.pb.gz")), 1);
        String second = scrape();
        assertThat(second).contains("lightningstream_receiver_snapshots_last_received_seconds" + peer + " 1.76722563E9",
                "lightningstream_receiver_snapshots_last_received_age_seconds_count" + peer + " 2",
                "lightningstream_receiver_snapshots_last_received_seconds" + self + " 1.767225605E9",
                "lightningstream_receiver_snapshots_last_received_age_seconds_count" + self + " 1");

        metrics.storageListed("main", List.of(blob("main__peer__20260101-000030-000000000__GX.pb.gz")), 1);
        assertThat(scrape()).as("nothing new").contains(
                "lightningstream_receiver_snapshots_last_received_age_seconds_count" + peer + " 2");
    }
}
