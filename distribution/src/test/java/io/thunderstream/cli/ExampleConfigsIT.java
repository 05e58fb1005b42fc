package io.thunderstream.cli;

import static io.thunderstream.cli.LauncherIT.distribution;
import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackends;
import io.thunderstream.engine.config.ThunderstreamConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example configs in the installation's {@code config/} load, and do what their comments say. */
class ExampleConfigsIT {

    @TempDir
    Path dir;

    @Test
    void thePowerDnsExamplesLoadWithTheVariablesTheyName() {
        Map<String, String> environment = Map.of("INSTANCE", "auth1", "S3_ACCESS_KEY", "AKIAEXAMPLE",
                "S3_SECRET_KEY", "secret");
        for (String name : List.of("pdns.yaml", "pdns47.yaml")) {
            ThunderstreamConfig config = ThunderstreamConfig.load(distribution().resolve("config").resolve(name), environment);
            assertThat(config.instance()).as(name).isEqualTo("auth1");
            assertThat(StorageBackends.discover(getClass().getClassLoader()).provider(config.storage().backend()).type())
                    .as(name).isEqualTo("s3");
        }
    }

    /** The commands in thunderstream.yaml's comment, typed in a shell: two instances side by side, each merging a third's snapshot. */
    @Test
    void theDemoConfigRunsTwoInstancesSideBySideAsItsCommentSays() throws Exception {
        Path config = Files.copy(distribution().resolve("config/thunderstream.yaml"), dir.resolve("thunderstream.yaml"));
        List<String> commands = Files.readAllLines(config).stream()
                .filter(line -> line.matches("#\\s+.*thunderstream -c thunderstream.yaml .*"))
                .map(line -> line.substring(1).trim())
                .toList();
        assertThat(commands).hasSize(2);
        Path bucket = Files.createDirectories(dir.resolve("data/bucket"));
        Files.copy(Path.of(System.getProperty("thunderstream.shared.dir"), "testdata", "snapshots", "v3-basic.pb.gz"),
                bucket.resolve("main__remote__20240102-030405-123456789__GX.pb.gz"));

        try (ThunderstreamProcess a = ThunderstreamProcess.startTyped(dir, commands.get(0));
                ThunderstreamProcess b = ThunderstreamProcess.startTyped(dir, commands.get(1))) {
            for (ThunderstreamProcess instance : List.of(a, b)) {
                instance.awaitLine(line -> line.contains("merged snapshot main__remote__"), Duration.ofSeconds(60));
            }
            HttpClient http = HttpClient.newHttpClient();
            for (String address : List.of("127.0.0.1:8500", "127.0.0.1:8501")) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/healthz"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as(address).isEqualTo(200);
            }
            assertThat(a.output() + b.output()).doesNotContain("ERROR");
        }
        assertThat(dir.resolve("data/lmdb/main")).isDirectory();
        assertThat(dir.resolve("data/lmdb/other")).isDirectory();
    }
}
