package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.ValueHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/** {@code dump --headers} decodes the headers where the mode puts them, and only there. */
class DumpCommandTest {

    @TempDir
    Path dir;

    /** PowerDNS 4.7 with a syncer in shadow mode: plain values, and the shadow's with headers. */
    @Test
    void inShadowModeOnlyTheShadowsHaveTheirHeadersDecoded() throws Exception {
        Path lmdb = lmdb(false);
        put(lmdb, "domains", "a", "alpha".getBytes(StandardCharsets.UTF_8));
        put(lmdb, "_sync_shadow_domains", "a", withHeader(1_700_000_000_123_456_789L, "alpha"));

        InProcessRun dump = run(false, "dump", "--headers");

        assertThat(dump.exitCode()).as(dump.err()).isZero();
        assertThat(dump.out()).isEqualTo("""
                main\t_sync_shadow_domains\ta\tts=2023-11-14T22:13:20.123456789Z txn=1\talpha
                main\tdomains\ta\talpha
                """);
    }

    @Test
    void inNativeModeAValueWithoutItsHeaderIsNamed() throws Exception {
        Path lmdb = lmdb(true);
        put(lmdb, "domains", "a", "alpha".getBytes(StandardCharsets.UTF_8));

        InProcessRun dump = run(true, "dump", "--headers");

        assertThat(dump.exitCode()).isNotZero();
        assertThat(dump.err()).contains("DBI domains, key \"a\": value of 5 bytes is shorter than its header (24 bytes)",
                "set schema_tracks_changes: false");
    }

    @Test
    void aDbiTheLmdbDoesNotHaveIsAnErrorThatListsItsDbis() throws Exception {
        Path lmdb = lmdb(false);
        put(lmdb, "domains", "a", "alpha".getBytes(StandardCharsets.UTF_8));
        put(lmdb, "records", "r", "192.0.2.1".getBytes(StandardCharsets.UTF_8));

        assertThat(run(false, "dump", "--dbi", "records").out()).isEqualTo("main\trecords\tr\t192.0.2.1\n");
        InProcessRun missing = run(false, "dump", "--dbi", "NOSUCHDBI");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("thunderstream: --dbi NOSUCHDBI: no DBI of that name in lmdb main (DBIs: domains, records)\n");
    }

    private Path lmdb(boolean nativeMode) {
        return dir.resolve(nativeMode ? "native.lmdb" : "shadow.lmdb");
    }

    /** Runs {@code args} with a config of {@link #lmdb}{@code (nativeMode)} in that mode. */
    private InProcessRun run(boolean nativeMode, String... args) throws Exception {
        Path config = dir.resolve("lightningstream.yaml");
        Files.writeString(config, """
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: %s
                    options:
                      no_subdir: true
                storage:
                  type: fs
                  options: {root_path: %s}
                """.formatted(lmdb(nativeMode), nativeMode, dir.resolve("bucket")));
        return InProcessRun.withConfig(config, args);
    }

    private static byte[] withHeader(long timestampNano, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(ValueHeader.SIZE + bytes.length);
        ValueHeader.write(b, timestampNano, 1, 0);
        return b.put(bytes).array();
    }

    private static void put(Path lmdb, String dbiName, String key, byte[] value) {
        try (Env<ByteBuffer> env = Env.create().setMapSize(1 << 20).setMaxDbs(8).open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR)) {
            Dbi<ByteBuffer> dbi = env.openDbi(dbiName, DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                dbi.put(txn, direct(key.getBytes(StandardCharsets.UTF_8)), direct(value));
                txn.commit();
            }
        }
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
