package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.Syncer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/** A running syncer with its status server: the metrics and the health move as the syncer works and the bucket fails. */
class StatusServerTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    @Test
    void metricsAndHealthFollowTheSyncerAndTheBucket() throws Exception {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                instance: alpha
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                storage:
                  type: fs
                  options:
                    root_path: %s
                http:
                  address: ":0"
                health:
                  storage_list: {interval: 1s, warn_duration: 1s, error_duration: 3s}
                  storage_store: {interval: 1s, warn_duration: 1s, error_duration: 3s}
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                storage_retry_interval: 100ms
                storage_retry_forever: true
                """.formatted(dir.resolve("lmdb"), dir.resolve("bucket")), Map.of());
        StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader()).open(config.storage().backend());
        FlakyStorage flaky = new FlakyStorage(bucket);
        dir.resolve("lmdb").toFile().mkdirs();
        try (Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(8).open(dir.resolve("lmdb").toFile(),
                EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> data = env.openDbi("data", DbiFlags.MDB_CREATE);
            put(env, data, "www", "192.0.2.1");
            Monitoring monitoring = new Monitoring(config);
            try (Syncer syncer = Syncer.builder(config).storage(flaky).environment("main", env)
                    .listener(monitoring.listener()).build();
                    StatusServer server = monitoring.serve(syncer, flaky)) {
                port = server.port();
                syncer.start();
                assertThat(syncer.awaitFirstPass(Duration.ofSeconds(30))).isTrue();

                String metrics = get("/metrics").body();
                assertThat(value(metrics, "lightningstream_syncer_snapshots_generated_total", "lmdb", "main")).isEqualTo(1);
                assertThat(value(metrics, "lightningstream_syncer_snapshots_store_bytes_total")).isPositive();
                assertThat(value(metrics, "lightningstream_syncer_snapshots_list_calls_total")).isPositive();
                assertThat(value(metrics, "lmdb_stat_entries", "db", "data", "lmdb", "main")).isEqualTo(1);
                assertThat(value(metrics, "lmdb_mapsize_bytes", "lmdb", "main")).isEqualTo(64L << 20);
                assertThat(value(metrics, "lmdb_filesize_bytes", "lmdb", "main")).isPositive();
                assertThat(metrics).contains("jvm_memory_used_bytes");

                HttpResponse<String> healthz = get("/healthz");
                assertThat(healthz.statusCode()).isEqualTo(200);
                JsonNode health = new ObjectMapper().readTree(healthz.body());
                assertThat(health.get("status").asText()).isEqualTo("OK");
                assertThat(health.at("/metadata/startup_main").asBoolean()).isTrue();

                String page = get("/").body();
                assertThat(page).contains("DBIs in main", "<td>data</td>", "stored", "main__alpha__");
                assertThat(get("/storage").body()).startsWith("Name\tSize\n").contains("main__alpha__");
                assertThat(get("/nothing-here").statusCode()).isEqualTo(404);

                // A local change: one more snapshot, more bytes stored.
                double bytesBefore = value(metrics, "lightningstream_syncer_snapshots_store_bytes_total");
                put(env, data, "mail", "192.0.2.25");
                await("a second snapshot", () -> metric("lightningstream_syncer_snapshots_generated_total", "lmdb", "main") == 2);
                assertThat(metric("lightningstream_syncer_snapshots_store_bytes_total")).isGreaterThan(bytesBefore);

                // The bucket goes down while there is a change to store: failures count, health warns, then errs.
                flaky.down.set(true);
                put(env, data, "ftp", "192.0.2.21");
                await("failed store attempts", () -> metric("lightningstream_syncer_snapshots_store_failed_attempts_total",
                        "lmdb", "main") >= 2);
                await("failed listings", () -> metric("lightningstream_syncer_snapshots_list_failed_total", "lmdb", "main") >= 2);
                await("a health warning", () -> healthStatus().equals("Warning"));
                HttpResponse<String> warning = get("/healthz");
                assertThat(warning.statusCode()).as("warnings are still healthy").isEqualTo(200);
                assertThat(new ObjectMapper().readTree(warning.body()).get("warnings").has("main_storage_store_failed_duration"))
                        .isTrue();
                await("a health error", () -> healthStatus().equals("Unavailable"));
                HttpResponse<String> error = get("/healthz");
                assertThat(error.statusCode()).isEqualTo(503);
                JsonNode failures = new ObjectMapper().readTree(error.body()).get("failures");
                assertThat(failures.get("main_storage_store_failed_duration").asText()).contains("bucket is down");
                assertThat(failures.has("main_storage_list_failed_duration")).isTrue();

                // Back up: the snapshot is stored, and health recovers.
                flaky.down.set(false);
                await("the pending snapshot stored", () -> metric("lightningstream_syncer_snapshots_generated_total",
                        "lmdb", "main") == 3);
                await("health back to OK", () -> healthStatus().equals("OK"));
                assertThat(get("/healthz").statusCode()).isEqualTo(200);
            }
        } finally {
            bucket.close();
        }
    }

    @Test
    void onlyAPortBindsLoopback() throws Exception {
        var config = new io.thunderstream.engine.config.HttpConfig(":0");
        Monitoring monitoring = new Monitoring(ThunderstreamConfig.parse("""
                instance: alpha
                lmdbs:
                  main:
                    path: %s
                    options: {create: true}
                    schema_tracks_changes: true
                storage:
                  type: memory
                """.formatted(dir.resolve("lmdb")), Map.of()));
        try (StatusServer server = StatusServer.start(config, monitoring, List.of(), null)) {
            port = server.port();
            assertThat(get("/healthz").statusCode()).isEqualTo(200);
            assertThat(java.net.InetAddress.getLoopbackAddress().isLoopbackAddress()).isTrue();
            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        }
    }

    private static void put(Env<ByteBuffer> env, Dbi<ByteBuffer> dbi, String key, String value) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            ByteBuffer kb = ByteBuffer.allocateDirect(k.length).put(k).flip();
            ByteBuffer vb = ByteBuffer.allocateDirect(ValueHeader.SIZE + v.length);
            ValueHeader.write(vb, System.currentTimeMillis() * 1_000_000L, txn.getId(), 0);
            dbi.put(txn, kb, vb.put(v).flip());
            txn.commit();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String healthStatus() {
        try {
            return new ObjectMapper().readTree(get("/healthz").body()).get("status").asText();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private double metric(String name, String... labels) {
        try {
            return value(get("/metrics").body(), name, labels);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The value of a sample in Prometheus text format; -1 when absent. */
    static double value(String metrics, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= found.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return -1;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The real bucket, failing every call while {@link #down} is set. */
    private static final class FlakyStorage implements StorageBackend {
        final AtomicBoolean down = new AtomicBoolean();
        private final StorageBackend bucket;

        FlakyStorage(StorageBackend bucket) {
            this.bucket = bucket;
        }

        private void check() throws IOException {
            if (down.get()) {
                throw new IOException("bucket is down");
            }
        }

        @Override
        public List<BlobInfo> list(String prefix) throws IOException {
            check();
            return bucket.list(prefix);
        }

        @Override
        public InputStream read(String name) throws IOException {
            check();
            return bucket.read(name);
        }

        @Override
        public void write(String name, InputStream data, long size) throws IOException {
            check();
            bucket.write(name, data, size);
        }

        @Override
        public void delete(String name) throws IOException {
            check();
            bucket.delete(name);
        }
    }
}
