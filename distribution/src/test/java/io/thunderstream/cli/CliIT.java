package io.thunderstream.cli;

import static io.thunderstream.cli.LauncherIT.distribution;
import static io.thunderstream.cli.LauncherIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.cli.LauncherIT.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged command against a local bucket and LMDB, as an operator would use it. */
class CliIT {

    @TempDir
    Path dir;

    private Path launcher;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        launcher = distribution().resolve("bin/thunderstream");
        config = dir.resolve("thunderstream.yaml");
        Files.writeString(config, """
                instance: cli-test
                lmdbs:
                  main:
                    path: %s
                    options:
                      create: true
                      map_size: 64MB
                    schema_tracks_changes: true
                storage:
                  type: fs
                  options:
                    root_path: %s
                """.formatted(dir.resolve("lmdb"), dir.resolve("bucket")));
    }

    private Result ts(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "-c";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(launcher, all);
    }

    private static Path vector(String name) {
        return Path.of(System.getProperty("thunderstream.shared.dir"), "testdata", "snapshots", name + ".pb.gz");
    }

    @Test
    void aSnapshotPutIntoTheBucketIsMergedBySyncOnlyOnce() throws Exception {
        String name = "main__remote__20240102-030405-123456789__GX.pb.gz";
        Result put = ts("snapshots", "put", vector("v3-basic").toString(), "-n", name);
        assertThat(put.exitCode()).as(put.err()).isZero();
        assertThat(ts("snapshots", "list").out()).isEqualTo(name + "\n");

        Result sync = ts("sync", "--only-once");
        assertThat(sync.exitCode()).as(sync.err()).isZero();
        assertThat(sync.err()).contains("merged snapshot " + name);

        Result dump = ts("dump", "--headers", "--dbi", "domains");
        assertThat(dump.exitCode()).as(dump.err()).isZero();
        assertThat(dump.out()).contains("main\tdomains\ta\tts=2024-01-02T03:04:05.123453789Z").contains("alpha")
                .contains("main\tdomains\tb\tts=2024-01-02T03:04:05.123454789Z txn=").contains(" deleted");

        Result stats = ts("stats");
        assertThat(stats.out()).containsPattern("records\\s+4\\s+").contains("INTEGERKEY");

        // The merge alone must not make this instance store a snapshot.
        assertThat(ts("snapshots", "list", "-p", "main__cli-test__").out()).isEmpty();
    }

    @Test
    void snapshotsDumpPrintsTheVectorsJson() throws Exception {
        Result dump = ts("snapshots", "dump", "--local", vector("v3-empty-dbi").toString());
        assertThat(dump.exitCode()).as(dump.err()).isZero();
        assertThat(dump.out()).contains("\"formatVersion\"").contains("\"empty\"").contains("\"6b\"");
    }

    @Test
    void aCorruptSnapshotIsOneLineAndExitCodeOne() throws Exception {
        Result dump = ts("snapshots", "dump", "--local", vector("corrupt-truncated").toString());
        assertThat(dump.exitCode()).isEqualTo(1);
        assertThat(dump.err().strip().lines()).hasSize(1);
        assertThat(dump.err()).contains("corrupt-truncated").doesNotContain("\tat ");

        Result put = ts("snapshots", "put", vector("corrupt-truncated").toString(), "-n", "main__x__20240102-030405-123456789__GX.pb.gz");
        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(ts("snapshots", "list").out()).isEmpty();
    }

    @Test
    void configErrorsNameTheYamlPathAndExitTwo() throws Exception {
        Files.writeString(config, """
                lmdbs:
                  main:
                    path: /tmp/x
                    options:
                      map_size: 12QB
                storage:
                  type: fs
                  options: {root_path: /tmp/y}
                lmdb_pol_interval: 1s
                """);
        Result r = ts("sync", "--only-once");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("lmdbs.main.options.map_size").contains("lmdb_pol_interval");
    }

    @Test
    void logConfigMasksSecrets() throws Exception {
        Files.writeString(config, """
                instance: cli-test
                lmdbs:
                  main:
                    path: %s
                    options: {create: true, map_size: 64MB}
                    schema_tracks_changes: true
                storage:
                  url: memory://bucket?secret_key=hunter2-very-secret
                """.formatted(dir.resolve("lmdb")));
        Result r = ts("--log-config", "sync", "--only-once");
        assertThat(r.out() + r.err()).contains("*****").doesNotContain("hunter2-very-secret");
    }

    /** LMDB's EACCES names the file this user may not write, here the lock file (as nobody when run as root, who may write any). */
    @Test
    void aLockFileThisUserMayNotWriteIsNamed() throws Exception {
        assertThat(ts("sync", "--only-once").exitCode()).isZero();
        Path lock = dir.resolve("lmdb/lock.mdb");
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        Result stats = "root".equals(System.getProperty("user.name"))
                ? run(Path.of("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", launcher.toString(),
                        "-c", config.toString(), "stats")
                : ts("stats");
        assertThat(stats.exitCode()).as(stats.err()).isEqualTo(1);
        assertThat(stats.err()).isEqualTo("thunderstream: lmdb main: cannot open LMDB at " + dir.resolve("lmdb") + ": "
                + lock + ": permission denied\n");
    }

    @Test
    void sigtermStopsTheSyncCleanly() throws Exception {
        Path log = dir.resolve("sync.log");
        Process sync = new ProcessBuilder(launcher.toString(), "-c", config.toString(), "sync")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("first pass done")) {
                assertThat(sync.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("first pass within 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            sync.destroy(); // SIGTERM
            assertThat(sync.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as("stops within 20 s").isTrue();
            assertThat(sync.exitValue()).as("128 + SIGTERM, as README.md says").isEqualTo(143);
            assertThat(Files.readString(log)).contains("SyncCommand: stopped").doesNotContain("Exception");
        } finally {
            sync.destroyForcibly();
        }
        // The LMDB is not left locked or damaged: the next command opens it.
        assertThat(ts("stats").exitCode()).isZero();
    }
}
