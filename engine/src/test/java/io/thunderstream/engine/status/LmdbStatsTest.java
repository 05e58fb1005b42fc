package io.thunderstream.engine.status;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.Prerequisite;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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
            LmdbStats.log(lmdb, dir.resolve("data.mdb"), false); // logs, never throws

            String text = scrape(false, lmdb, dir.resolve("data.mdb"));
            assertThat(text).contains("lmdb_stat_entries{db=\"records\",lmdb=\"main\"} 50.0",
                    "lmdb_stat_pages{db=\"records\",lmdb=\"main\",pagetype=\"leaf\"}", "lmdb_env_last_tnx_id{lmdb=\"main\"} ",
                    "lmdb_filesize_bytes{lmdb=\"main\"} ", "lmdb_total_usage_fraction{lmdb=\"main\"} ")
                    .as("lmdb_scrape_smaps: false").doesNotContain("lmdb_smaps_bytes");
        }
    }

    @Test
    void withScrapeSmapsTheKernelsFiguresOfTheDataFilesMapAreGaugesAndLogged() throws Exception {
        Prerequisite.require(Files.isReadable(MappedMemory.SMAPS),
                MappedMemory.SMAPS + " not found: lmdb_scrape_smaps works on Linux only");
        try (NativeLmdb app = NativeLmdb.open(dir.resolve("env"), "records")) {
            for (int i = 0; i < 2000; i++) {
                app.put("records", "r" + i, "value " + i, 1);
            }
            assertThat(app.contents().get("records")).hasSize(2000); // read through the map: its pages are now resident here
            // Configured through a symbolic link: smaps names the real path, the label the configured one.
            Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("env"));
            Path dataFile = link.resolve("data.mdb");

            String text = scrape(true, app.lmdb(), dataFile);
            String smap = "lmdb_smaps_bytes{database_path=\"" + dataFile.toAbsolutePath() + "\",lmdb=\"main\",smap=";
            assertThat(text).as("the whole map is mapped").contains(smap + "\"size\"} 2.68435456E8");
            assertThat(gauge(text, smap + "\"rss\"}")).as("rss").isPositive()
                    .isLessThanOrEqualTo(gauge(text, smap + "\"size\"}"));
            assertThat(text).contains(smap + "\"pss\"}", smap + "\"shared_clean\"}", smap + "\"private_dirty\"}");

            ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LmdbStats.class);
            ListAppender<ILoggingEvent> logged = new ListAppender<>();
            logged.start();
            logger.addAppender(logged);
            try {
                LmdbStats.log(app.lmdb(), dataFile, true);
            } finally {
                logger.detachAppender(logged);
            }
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).startsWith("db main: LMDB memory: size 268435456, ")
                            .contains(", rss "));
        }
    }


    private static String scrape(boolean scrapeSmaps, LmdbEnvironment lmdb, Path dataFile) throws Exception {
        LmdbCollector collector = new LmdbCollector(scrapeSmaps);
        collector.add(lmdb, dataFile);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the sample that starts with {@code nameAndLabels} in exposition text. */
    private static double gauge(String text, String nameAndLabels) {
        return text.lines().filter(l -> l.startsWith(nameAndLabels)).findFirst()
                .map(l -> Double.parseDouble(l.substring(nameAndLabels.length()).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + nameAndLabels + " in:\n" + text));
    }
}
