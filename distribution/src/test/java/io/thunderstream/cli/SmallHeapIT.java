package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.ValueHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * The packaged {@code bin/thunderstream} syncs an LMDB whose snapshot is larger than its heap:
 * snapshots are written streaming, downloads go to a temp file, merges stream (issue 9). The
 * full-size proof (1.1 M entries, {@code -Xmx64m}) is case 5 of {@code bench/run-suite.sh}; this
 * is the same at a size CI affords: 150,000 entries, about 27 MB of protobuf, with {@code -Xmx24m}.
 */
class SmallHeapIT {

    private static final int ENTRIES = 150_000;
    private static final String HEAP = "-Xmx24m";

    @TempDir
    Path dir;

    @Test
    void aSnapshotLargerThanTheHeapIsStoredAndMerged() throws Exception {
        Path bucket = Files.createDirectories(dir.resolve("bucket"));
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = dir.resolve("b");
        long written = fill(a);

        run(config("a", a, bucket), "sync");
        try (var files = Files.list(bucket)) {
            Path snapshot = files.filter(p -> p.toString().endsWith(".pb.gz")).findFirst().orElseThrow();
            assertThat(Files.size(snapshot)).as("the compressed snapshot alone is a large share of the heap")
                    .isGreaterThan(10L << 20);
        }
        // java.io.tmpdir missing: the download that must go to a temp file fails, and says where
        Path missingTemp = dir.resolve("no-such-temp-dir");
        String failed = run(config("b", b, bucket), "receive", "-Djava.io.tmpdir=" + missingTemp, 1);
        assertThat(failed).contains("temp file in java.io.tmpdir " + missingTemp + " (for a snapshot beyond its share of memory): "
                + missingTemp + "/thunderstream-main-").contains(".tmp: no such file or directory");

        run(config("b", b, bucket), "receive");

        try (Env<ByteBuffer> env = open(b); Txn<ByteBuffer> txn = env.txnRead()) {
            Dbi<ByteBuffer> dbi = env.openDbi(txn, "records".getBytes(StandardCharsets.UTF_8), null, false);
            assertThat(dbi.stat(txn).entries).isEqualTo(written);
        }
    }

    private void run(Path config, String command) throws IOException, InterruptedException {
        run(config, command, "", 0);
    }

    /** Runs {@code command --only-once} with {@link #HEAP} and {@code javaOpts}; its output. */
    private String run(Path config, String command, String javaOpts, int exitCode) throws IOException, InterruptedException {
        Path log = dir.resolve(command + ".log");
        ProcessBuilder pb = new ProcessBuilder(LauncherIT.distribution().resolve("bin/thunderstream").toString(),
                "-c", config.toString(), command, "--only-once");
        pb.environment().put("JAVA_OPTS", HEAP + " " + javaOpts);
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(command + " exits within 120 s").isTrue();
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(command + " with " + HEAP + " " + javaOpts + ":\n" + output).isEqualTo(exitCode);
        return output;
    }

    private Path config(String instance, Path lmdb, Path bucket) throws IOException {
        return Files.writeString(dir.resolve(instance + ".yaml"), """
                instance: %s
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: true
                      map_size: 256MB
                storage:
                  type: fs
                  options:
                    root_path: %s
                storage_retry_count: 1
                storage_retry_interval: 100ms
                """.formatted(instance, lmdb, bucket));
    }

    private static Env<ByteBuffer> open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Env.create().setMapSize(256L << 20).setMaxDbs(8).open(dir.toFile(), EnvFlags.MDB_NOTLS);
    }

    /** Entries of 20-byte keys and 120-180-byte values of poorly compressible text. */
    private static long fill(Path lmdb) throws IOException {
        byte[] alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-".getBytes(StandardCharsets.US_ASCII);
        SplittableRandom rnd = new SplittableRandom(9);
        ByteBuffer key = ByteBuffer.allocateDirect(20);
        ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 180);
        try (Env<ByteBuffer> env = open(lmdb)) {
            Dbi<ByteBuffer> dbi = env.openDbi("records", DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (int i = 0; i < ENTRIES; i++) {
                    key.clear();
                    key.put(String.format("record-%013d", i).getBytes(StandardCharsets.US_ASCII)).flip();
                    value.clear();
                    ValueHeader.write(value, 1_700_000_000_000_000_000L + i, txn.getId(), 0);
                    int n = 120 + rnd.nextInt(61);
                    for (int j = 0; j < n; j++) {
                        value.put(alphabet[rnd.nextInt(alphabet.length)]);
                    }
                    dbi.put(txn, key, value.flip(), PutFlags.MDB_APPEND);
                }
                txn.commit();
            }
            return ENTRIES;
        }
    }
}
