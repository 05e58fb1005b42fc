package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.backend.s3.S3ProxyServer;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets never show in any output of the packaged command, in success or failure, at debug
 * level, with {@code --log-config}, nor on its HTTP pages ({@code /}, {@code /metrics},
 * {@code /healthz}, {@code /storage}); and the LMDB files it creates follow {@code file_mask}.
 */
class SecurityIT {

    private static final Duration RUN = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private String config(String lmdb, String accessKey, String secretKey) throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        return """
                instance: node-a
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: true
                      map_size: 64MB
                      dir_mask: 0700
                      file_mask: 0600
                storage:
                  type: s3
                  options:
                    endpoint_url: %s
                    bucket: %s
                    access_key: %s
                    secret_key: %s
                storage_retry_interval: 100ms
                storage_retry_count: 2
                """.formatted(dir.resolve(lmdb), server.endpoint(), server.newBucket(), accessKey, secretKey);
    }

    @Test
    void noSecretInAnyOutputOfAFullRunAndCreatedFilesFollowFileMask() throws Exception {
        String secret = S3ProxyServer.SECRET_KEY;
        List<String> outputs = new ArrayList<>();

        // Successful runs at debug level with --log-config: one that creates its LMDB, one that stores a snapshot, a listing.
        Path good = Files.writeString(dir.resolve("good.yaml"), config("created", S3ProxyServer.ACCESS_KEY, secret));
        outputs.add(run(true, "sync", "--only-once", "--log-config", "--log-level", "debug", "-c", good.toString()));
        try (NativeLmdb app = NativeLmdb.open(dir.resolve("created"), "records")) {
            app.put("records", "k", "v", 1_700_000_000_000_000_000L);
        }
        outputs.add(run(true, "sync", "--only-once", "--log-config", "--log-level", "debug", "-c", good.toString()));
        String listing = run(true, "snapshots", "list", "--log-config", "--log-level", "debug", "-c", good.toString());
        assertThat(listing).contains("main__node-a__");
        outputs.add(listing);

        // A running sync with the HTTP server: the status page, metrics, health and listing.
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path served = Files.writeString(dir.resolve("served.yaml"), config("created", S3ProxyServer.ACCESS_KEY, secret)
                + "http:\n  address: \"127.0.0.1:" + port + "\"\n");
        try (ThunderstreamProcess sync = ThunderstreamProcess.start("sync", "--log-config", "-c", served.toString())) {
            sync.awaitLine(line -> line.contains("first pass done"), RUN);
            var http = java.net.http.HttpClient.newHttpClient();
            for (String path : List.of("/", "/metrics", "/healthz", "/storage")) {
                var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                outputs.add(response.body());
            }
            outputs.add(sync.output());
        }

        // Failures: a wrong secret (the server refuses it), and the secret given through ${VAR}.
        String wrongSecret = "wrong-secret-DO-NOT-LEAK-987";
        Path bad = Files.writeString(dir.resolve("bad.yaml"), config("bad", S3ProxyServer.ACCESS_KEY, wrongSecret));
        outputs.add(run(false, "sync", "--only-once", "--log-config", "--log-level", "debug", "-c", bad.toString()));
        outputs.add(run(false, "snapshots", "list", "--log-level", "debug", "-c", bad.toString()));

        String all = String.join("\n", outputs);
        assertThat(all).as("the runs said something").contains("effective config").contains("secret_key")
                .contains("lightningstream_syncer_snapshots_generated_total");
        assertThat(all).doesNotContain(secret).doesNotContain(wrongSecret);

        // Created LMDB files and directory follow file_mask / dir_mask (0600 / 0700, within any umask).
        Path created = dir.resolve("created");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created))).isEqualTo("rwx------");
        for (String file : List.of("data.mdb", "lock.mdb")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
    }

    private static String run(boolean succeeds, String... args) throws Exception {
        try (ThunderstreamProcess p = ThunderstreamProcess.start(args)) {
            int exit = p.awaitExit(RUN);
            assertThat(exit == 0).as("success of %s (exit %d):\n%s", List.of(args), exit, p.output()).isEqualTo(succeeds);
            return p.output();
        }
    }
}
