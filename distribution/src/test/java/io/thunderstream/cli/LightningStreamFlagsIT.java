package io.thunderstream.cli;

import static io.thunderstream.cli.LauncherIT.distribution;
import static io.thunderstream.cli.LauncherIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.cli.LauncherIT.Result;
import io.thunderstream.engine.testing.Prerequisite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lightning Stream's command lines, run unchanged against the packaged command. */
class LightningStreamFlagsIT {

    @TempDir
    Path dir;

    private Path launcher;
    private Path config;
    private Path bucket;

    @BeforeEach
    void setUp() throws Exception {
        launcher = distribution().resolve("bin/thunderstream");
        bucket = dir.resolve("bucket");
        config = dir.resolve("lightningstream.yaml");
        Files.writeString(config, configWith("""
                storage:
                  type: fs
                  options:
                    root_path: %s
                """.formatted(bucket)));
    }

    /** Shadow mode, so that a merge leaves the syncer's own _sync_shadow_* DBIs behind. */
    private String configWith(String storage) {
        return ThunderstreamProcess.config("ls-flags", dir.resolve("lmdb"), storage)
                .replace("schema_tracks_changes: true", "schema_tracks_changes: false");
    }

    private Result ls(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-c", config.toString()));
        all.addAll(List.of(args));
        return run(launcher, all.toArray(String[]::new));
    }

    @Test
    void dumpSnapshotsDumpAndTheLoggingFlagsTakeLightningStreamsOptions() throws Exception {
        Path vector = Path.of(System.getProperty("thunderstream.shared.dir"), "testdata", "snapshots", "v3-basic.pb.gz");
        Files.createDirectories(bucket);
        Files.copy(vector, bucket.resolve("main__remote__20240102-030405-123456789__GX.pb.gz"));
        Result sync = ls("--debug", "--log-timestamp", "disable", "sync", "--only-once", "--only-db", "main", "--only-db", "main");
        assertThat(sync.exitCode()).as(sync.err()).isZero();
        assertThat(sync.err()).as("--debug").contains("DEBUG").as("--log-timestamp disable")
                .doesNotContainPattern("(?m)^\\d\\d:\\d\\d:\\d\\d");

        // dump: -n/--name picks the LMDB, -H/--hide leaves the syncer's DBIs out.
        Result all = ls("dump", "-n", "main");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.out()).contains("main\tdomains\ta\t").contains("main\t_sync_shadow_domains\t");
        Result hidden = ls("dump", "-H", "--name", "main");
        assertThat(hidden.out()).contains("main\tdomains\ta\t").doesNotContain("_sync");
        assertThat(ls("dump", "-n", "nope").exitCode()).isEqualTo(2);

        // snapshots dump: -l (the argument is a local file), -f debug (LS's name for text), -d DBI.
        Result text = ls("snapshots", "dump", "-l", vector.toString(), "-f", "debug", "-d", "domains");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("domains").doesNotContain("records");
        assertThat(ls("snapshots", "dump", "-l", vector.toString(), "-f", "xml").exitCode()).isEqualTo(2);

        Result clamped = ls("--minimum-pid", "500", "stats");
        assertThat(clamped.exitCode()).as(clamped.err()).isZero();
        assertThat(clamped.err()).contains("--minimum-pid 500 lowered to the limit, 200");

        Result unknown = ls("sync", "--only-once", "--only-db", "main", "--only-db", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--only-db nope: no LMDB of that name in the config");
    }

    @Test
    void timeoutStopsTheSyncCleanlyAndExitsWith75() throws Exception {
        long start = System.nanoTime();
        Result sync = ls("--timeout", "3s", "sync");
        assertThat(sync.exitCode()).as(sync.err()).isEqualTo(75);
        assertThat(sync.err()).contains("first pass done").contains("--timeout 3s reached: stopping")
                .contains("INFO  SyncCommand: stopped")
                .doesNotContain("Exception").doesNotContain("not stopped");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(ls("stats").exitCode()).as("the LMDB opens again").isZero();
        assertThat(ls("--timeout", "soon", "stats").exitCode()).isEqualTo(2);
    }

    /**
     * A command that does not stop, here a sync whose storage never answers and ignores interrupts
     * (as a hung NFS mount does), still ends {@code --timeout} plus the 10 s grace later. The
     * timeout leaves the start-up (the JVM, the LMDB) time to reach its first listing.
     */
    @Test
    void timeoutHaltsACommandThatDoesNotStopWithinTheGrace() throws Exception {
        Path installation = dir.resolve("installation");
        LauncherIT.copyTree(distribution(), installation);
        PluginJar.buildHung(dir.resolve("build"), installation.resolve("plugins/hung-backend.jar"));
        Path hungConfig = dir.resolve("hung.yaml");
        Files.writeString(hungConfig, configWith("""
                storage:
                  type: hung
                """));

        long start = System.nanoTime();
        Path launcher = installation.resolve("bin/thunderstream");
        Result sync = run(launcher, "-c", hungConfig.toString(), "--timeout", "5s", "sync");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(sync.exitCode()).as(sync.err()).isEqualTo(75);
        assertThat(sync.err()).contains("--timeout 5s reached: stopping").contains("not stopped 10s after --timeout: exiting")
                .doesNotContain("INFO  SyncCommand: stopped");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(15));
        assertThat(run(launcher, "-c", hungConfig.toString(), "stats").exitCode()).as("the LMDB opens again").isZero();
    }

    @Test
    void syncWaitsForTheMarkerFileBeforeItStarts() throws Exception {
        try (ThunderstreamProcess sync = ThunderstreamProcess.start("-c", config.toString(), "--debug", "sync", "--only-once",
                "--wait-for-marker-file", "ready")) {
            sync.awaitLine(l -> l.contains("waiting for marker file ready"), Duration.ofSeconds(60));
            // Polled every 100 ms (storage_poll_interval): three polls find nothing, and it does not start.
            sync.awaitLines(l -> l.contains("no marker file ready yet"), 3, Duration.ofSeconds(30));
            assertThat(sync.output()).doesNotContain("first pass done");
            Files.writeString(bucket.resolve("ready"), "go");
            sync.awaitLine(l -> l.contains("marker file ready found: starting"), Duration.ofSeconds(30));
            assertThat(sync.awaitExit(Duration.ofSeconds(60))).as(sync.output()).isZero();
            assertThat(sync.output()).contains("first pass done");
        }
        Result hidden = ls("sync", "--wait-for-marker-file", ".ready");
        assertThat(hidden.exitCode()).isEqualTo(2);
        assertThat(hidden.err()).contains("--wait-for-marker-file: invalid blob name");
    }

    /**
     * In a PID namespace of its own (as in a container) the command starts as PID 1, below
     * --minimum-pid: it runs again as a child past it, which does the work, passes on the exit
     * code, and is stopped cleanly by a SIGTERM sent to the first process.
     */
    @Test
    void belowTheMinimumPidTheCommandRunsAgainAsAChildPastIt() throws Exception {
        requirePidNamespaces();
        assertThat(ls("sync", "--only-once").exitCode()).as("an LMDB for stats to look at").isZero();
        Result stats = run(Path.of("unshare"), "--pid", "--fork", "--mount-proc", launcher.toString(), "-c", config.toString(),
                "--minimum-pid", "50", "stats");
        assertThat(stats.exitCode()).as(stats.err()).isZero();
        assertThat(stats.err()).contains("pid 1 is below --minimum-pid 50: starting 49 processes");
        assertThat(childPid(stats.err())).isGreaterThanOrEqualTo(50);
        assertThat(stats.out().lines().filter(l -> l.startsWith("lmdb main:")).count()).as("stats printed once: " + stats.out())
                .isEqualTo(1);

        Result bad = run(Path.of("unshare"), "--pid", "--fork", "--mount-proc", launcher.toString(), "-c",
                dir.resolve("missing.yaml").toString(), "--minimum-pid", "50", "stats");
        assertThat(bad.exitCode()).as("the child's exit code: " + bad.err()).isEqualTo(2);

        try (ThunderstreamProcess sync = ThunderstreamProcess.startUnder(List.of("unshare", "--pid", "--fork", "--mount-proc"),
                "-c", config.toString(), "--minimum-pid", "50", "sync")) {
            sync.awaitLine(l -> l.contains("first pass done"), Duration.ofSeconds(60));
            // unshare forks PID 1 of the namespace, which execs the launcher, which execs java.
            ProcessHandle first = sync.handle().children().findFirst().orElseThrow();
            List<ProcessHandle> children = first.children().toList();
            assertThat(children).as("the child JVM").hasSize(1);
            first.destroy(); // SIGTERM, as a container runtime sends its first process
            assertThat(sync.awaitExit(Duration.ofSeconds(30))).isIn(0, 143);
            assertThat(children.get(0).isAlive()).isFalse();
            assertThat(sync.output()).as("the child stopped cleanly").contains("INFO  SyncCommand: stopped")
                    .doesNotContain("Exception").doesNotContain("killing it");
        }
        assertThat(ls("stats").exitCode()).as("the LMDB opens again").isZero();
    }

    private static long childPid(String log) {
        Matcher m = Pattern.compile("running as child pid (\\d+)").matcher(log);
        assertThat(m.find()).as(log).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** unshare needs root (as CI's runs are). */
    private static void requirePidNamespaces() throws Exception {
        Result probe;
        try {
            probe = run(Path.of("unshare"), "--pid", "--fork", "--mount-proc", "true");
        } catch (java.io.IOException e) {
            probe = new Result(-1, "", e.getMessage());
        }
        Prerequisite.require(probe.exitCode() == 0, "no PID namespace for this user (unshare --pid needs root): " + probe.err());
    }
}
