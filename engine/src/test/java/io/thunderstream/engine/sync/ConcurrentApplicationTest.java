package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application in another process writes continuously to the LMDB that a syncer (which opened
 * the environment itself, as the daemon does) is syncing: no write is lost, nothing fails.
 */
class ConcurrentApplicationTest {

    private static final int WRITES = 3000;

    @TempDir
    Path dir;

    @Test
    void writesFromAnotherProcessAllArriveOnTheOtherInstance() throws Exception {
        Path lmdbA = dir.resolve("a");
        Files.createDirectories(lmdbA);
        try (NativeLmdb create = NativeLmdb.open(lmdbA, "records")) {
            create.put("records", "before", "x", 1);
        }
        List<Exception> rejected = new CopyOnWriteArrayList<>();
        SyncListener listener = new SyncListener() {
            @Override
            public void snapshotRejected(String db, String name, Exception why) {
                rejected.add(why);
            }
        };
        try (StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
                NativeLmdb b = NativeLmdb.open(dir.resolve("b"), "records");
                Syncer syncA = Syncer.builder(SyncTestInstance.config("app-host", lmdbA, SyncTestInstance.FAST)).storage(bucket).listener(listener).build();
                Syncer syncB = Syncer.builder(SyncTestInstance.config("other-host", b.dir(), SyncTestInstance.FAST)).storage(bucket)
                        .environment("main", b.env()).listener(listener).build()) {
            syncA.start();
            syncB.start();
            assertThat(syncA.awaitFirstPass(Duration.ofSeconds(30))).isTrue();
            assertThat(syncB.awaitFirstPass(Duration.ofSeconds(30))).isTrue();

            Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), AppWriterProcess.class.getName(),
                    lmdbA.toString(), "records", String.valueOf(WRITES))
                    .redirectErrorStream(true).start();
            String output = new String(app.getInputStream().readAllBytes());
            assertThat(app.waitFor(120, TimeUnit.SECONDS)).as("the application finishes").isTrue();
            assertThat(app.exitValue()).as(output).isZero();

            Await.until("all " + WRITES + " writes on the other instance", Duration.ofSeconds(60),
                    () -> b.contents().getOrDefault("records", Map.of()).size() == WRITES + 1,
                    () -> "b has " + b.contents().getOrDefault("records", Map.of()).size());
            assertThat(rejected).isEmpty();
        }
    }
}
