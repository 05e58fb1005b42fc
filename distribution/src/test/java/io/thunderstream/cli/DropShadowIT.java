package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** {@code bin/thunderstream sync} in shadow mode makes the shadow DBIs; {@code drop-shadow --yes} removes them. */
class DropShadowIT {

    @TempDir
    Path dir;

    @Test
    void dropShadowAsksForYesThenRemovesTheSyncDbisAndKeepsTheData() throws Exception {
        Path lmdb = dir.resolve("lmdb");
        Files.createDirectories(lmdb);
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile())) {
            Dbi<ByteBuffer> records = env.openDbi("records", DbiFlags.MDB_CREATE, DbiFlags.MDB_DUPSORT);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                records.put(txn, buffer("example.org"), buffer("A 192.0.2.1"));
                records.put(txn, buffer("example.org"), buffer("A 192.0.2.2"));
                txn.commit();
            }
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                instance: shadow-test
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: false
                    dupsort_hack: true
                storage:
                  type: fs
                  options:
                    root_path: %s
                """.formatted(lmdb, dir.resolve("bucket")));
        Path launcher = LauncherIT.distribution().resolve("bin/thunderstream");

        LauncherIT.Result sync = LauncherIT.run(launcher, "-c", config.toString(), "sync", "--only-once");
        assertThat(sync.exitCode()).as(sync.err()).isZero();
        assertThat(dbiNames(lmdb)).containsExactlyInAnyOrder("records", "_sync_shadow_records");
        try (var files = Files.list(dir.resolve("bucket"))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("main__shadow-test__"));
        }

        LauncherIT.Result refused = LauncherIT.run(launcher, "-c", config.toString(), "drop-shadow");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("run it again with --yes");
        assertThat(dbiNames(lmdb)).contains("_sync_shadow_records");

        LauncherIT.Result dropped = LauncherIT.run(launcher, "-c", config.toString(), "drop-shadow", "--yes");
        assertThat(dropped.exitCode()).as(dropped.err()).isZero();
        assertThat(dropped.out()).contains("lmdb main: dropped _sync_shadow_records");
        assertThat(dbiNames(lmdb)).containsExactly("records");
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile())) {
            assertThat(env.openDbi("records").stat(env.txnRead()).entries).isEqualTo(2);
        }
    }

    private static List<String> dbiNames(Path lmdb) {
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile())) {
            return env.getDbiNames().stream().map(n -> new String(n, StandardCharsets.UTF_8)).toList();
        }
    }

    private static ByteBuffer buffer(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }
}
