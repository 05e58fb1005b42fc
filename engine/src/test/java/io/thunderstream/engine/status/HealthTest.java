package io.thunderstream.engine.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.config.HealthConfig;
import io.thunderstream.engine.config.HealthThresholds;
import io.thunderstream.engine.config.StartHealthConfig;
import io.thunderstream.engine.sync.SyncListener.StorageOperation;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** /healthz thresholds and the start tracker, on a clock the test moves. */
class HealthTest {

    private static final HealthThresholds STORAGE = new HealthThresholds(Duration.ofSeconds(1), Duration.ofMinutes(1),
            Duration.ofMinutes(5));
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    private Health health(boolean reportHealthz) {
        return new Health(new HealthConfig(STORAGE, STORAGE, STORAGE, new StartHealthConfig(Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofMinutes(2), reportHealthz, true)), List.of("main", "shard"), nanos::get);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aFailingStoreWarnsAfterWarnDurationErrsAfterErrorDurationAndOneSuccessClearsIt() {
        Health health = health(false);
        health.firstPassDone("main");
        health.firstPassDone("shard");
        assertThat(health.report().status()).isEqualTo("OK");

        health.storageFailed("main", StorageOperation.STORE, "main__a__x.pb.gz", new IOException("503 Slow Down"));
        advance(Duration.ofSeconds(59));
        assertThat(health.report().status()).isEqualTo("OK");
        advance(Duration.ofSeconds(1));
        health.storageFailed("main", StorageOperation.STORE, "main__a__x.pb.gz", new IOException("timeout"));
        Health.Report warning = health.report();
        assertThat(warning.status()).isEqualTo("Warning");
        assertThat(warning.ok()).isTrue();
        assertThat(warning.warnings()).containsOnlyKeys("main_storage_store_failed_duration");
        assertThat(warning.warnings().get("main_storage_store_failed_duration"))
                .isEqualTo("failed to write to storage backend for 60s - last error: 'timeout'");

        advance(Duration.ofMinutes(4));
        Health.Report error = health.report();
        assertThat(error.ok()).isFalse();
        assertThat(error.status()).isEqualTo("Unavailable");
        assertThat(error.failures()).containsOnlyKeys("main_storage_store_failed_duration");
        assertThat(error.toJson()).contains("\"ok\" : false", "\"status\" : \"Unavailable\"", "main_storage_store_failed_duration");

        health.storageStored("main", "main__a__y.pb.gz", 10, 1);
        assertThat(health.report().status()).as("evaluated at most once per interval").isEqualTo("Unavailable");
        advance(Duration.ofSeconds(1));
        assertThat(health.report().status()).isEqualTo("OK");
    }

    @Test
    void eachOperationAndLmdbHasItsOwnCheck() {
        Health health = health(false);
        health.storageFailed("shard", StorageOperation.LIST, "shard__", new IOException("down"));
        health.storageFailed("main", StorageOperation.LOAD, "main__b__x.pb.gz", new IOException("down"));
        advance(Duration.ofMinutes(2));
        assertThat(health.report().warnings()).containsOnlyKeys("shard_storage_list_failed_duration",
                "main_storage_load_failed_duration");
        health.storageListed("shard", List.of(), 1);
        advance(Duration.ofSeconds(5));
        assertThat(health.report().warnings()).containsOnlyKeys("main_storage_load_failed_duration");
    }

    @Test
    void theStartCountsOnlyWithReportHealthzAndTheMetadataSaysWhenItIsDone() {
        Health quiet = health(false);
        advance(Duration.ofMinutes(10));
        assertThat(quiet.report().status()).isEqualTo("OK");
        assertThat(quiet.report().metadata()).containsEntry("startup_main", false).containsEntry("startup_shard", false);

        Health strict = health(true);
        assertThat(strict.report().ok()).as("not ready before the first full pass, however young").isFalse();
        assertThat(strict.report().failures()).containsOnlyKeys("main_startup_in_progress", "shard_startup_in_progress");
        advance(Duration.ofMinutes(2));
        strict.firstPassDone("main");
        advance(Duration.ofSeconds(31));
        Health.Report report = strict.report();
        assertThat(report.failures()).containsOnlyKeys("shard_startup_in_progress");
        assertThat(report.failures().get("shard_startup_in_progress"))
                .isEqualTo("successful startup pending after 151s (slower than health.start.warn_duration)");
        assertThat(report.metadata()).containsEntry("startup_main", true).containsEntry("startup_shard", false);
        strict.firstPassDone("shard");
        advance(Duration.ofSeconds(1));
        assertThat(strict.report().status()).isEqualTo("OK");
    }
}
