package io.thunderstream.engine.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.testing.NativeLmdb;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LMDB statistics as the stats command, the status page and the lmdb_* gauges read them. */
class LmdbStatsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheEnvironmentAndEveryDbiAndExportsThemAsGauges() throws Exception {
        try (NativeLmdb app = NativeLmdb.open(dir, "domains", "records")) {
            for (int i = 0; i < 50; i++) {
                app.put("records", "r" + i, "value " + i, 1);
            }
            app.put("domains", "example.org", "zone", 1);
            LmdbEnvironment lmdb = app.lmdb();

            LmdbStats stats = LmdbStats.read(lmdb);
            assertThat(stats.name()).isEqualTo("main");
            assertThat(stats.mapSize()).isEqualTo(256L << 20);
            assertThat(stats.lastTxnId()).isEqualTo(app.lastTxnId());
            assertThat(stats.dbis()).extracting(LmdbStats.DbiStats::name).containsExactly("domains", "records");
            assertThat(stats.dbis().get(1).entries()).isEqualTo(50);
            assertThat(stats.dbis().get(1).flagNames()).isEqualTo("0");
            assertThat(stats.usedBytes()).isEqualTo(stats.dbis().stream().mapToLong(LmdbStats.DbiStats::usedBytes).sum())
                    .isPositive().isLessThanOrEqualTo(stats.highWaterBytes());
            LmdbStats.log(lmdb); // logs, never throws

            LmdbCollector collector = new LmdbCollector();
            collector.add(lmdb, dir.resolve("data.mdb"));
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(collector);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("lmdb_stat_entries{db=\"records\",lmdb=\"main\"} 50.0",
                    "lmdb_stat_pages{db=\"records\",lmdb=\"main\",pagetype=\"leaf\"}", "lmdb_env_last_tnx_id{lmdb=\"main\"} ",
                    "lmdb_filesize_bytes{lmdb=\"main\"} ", "lmdb_total_usage_fraction{lmdb=\"main\"} ");
        }
    }
}
