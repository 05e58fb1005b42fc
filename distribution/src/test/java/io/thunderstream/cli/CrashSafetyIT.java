package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.backend.s3.S3ProxyServer;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.testing.NativeLmdb;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Txn;

/**
 * {@code kill -9} of the packaged {@code bin/thunderstream} during a snapshot upload and during a
 * merge, on the file backend and on S3: no partial snapshot is ever visible, the LMDB holds all of
 * a merge or none of it, and a restart converges.
 */
class CrashSafetyIT {

    private static final int ENTRIES = 150_000;
    private static final Duration RUN = Duration.ofSeconds(120);

    abstract static class Scenario {

        @TempDir
        Path dir;

        /** The {@code storage:} section of the config. */
        abstract String storageYaml() throws Exception;

        /** The same storage, for the test to look at. */
        abstract StorageBackend storage() throws Exception;

        /** Waits, after the process said it is storing, until the upload is certainly underway. */
        void awaitUploadUnderway() throws Exception {
        }

        @Test
        void killedDuringAnUploadThenDuringAMergeLeavesNoPartsAndARestartConverges() throws Exception {
            Path lmdbA = dir.resolve("a");
            writeBulk(lmdbA, ENTRIES);
            Path configA = Files.writeString(dir.resolve("a.yaml"), ThunderstreamProcess.config("node-a", lmdbA, storageYaml()));
            Path configB = Files.writeString(dir.resolve("b.yaml"),
                    ThunderstreamProcess.config("node-b", dir.resolve("b"), storageYaml()));

            try (StorageBackend storage = storage()) {
                // 1. kill -9 during the upload of a's first snapshot
                try (ThunderstreamProcess a = ThunderstreamProcess.start("sync", "-c", configA.toString(), "--log-level", "debug")) {
                    a.awaitLine(l -> l.contains("storing a snapshot"), RUN);
                    awaitUploadUnderway();
                    a.kill9();
                    assertThat(snapshots(storage)).as("the upload was cut short: no snapshot yet\n%s", a.output()).isEmpty();
                }
                assertEveryListedSnapshotIsWhole(storage);

                // 2. the restart stores a whole snapshot
                try (ThunderstreamProcess a = ThunderstreamProcess.start("sync", "--only-once", "-c", configA.toString())) {
                    assertThat(a.awaitExit(RUN)).as(a.output()).isZero();
                }
                assertThat(snapshots(storage)).hasSize(1);
                assertEveryListedSnapshotIsWhole(storage);

                // 3. kill -9 of b during its merge of a's snapshot: with write-lock slices
                // (merge_lock_duration, docs/merging.md) part of it may be applied, each entry whole.
                // A small heap puts the download (and its decompressed copy) in temp files.
                Path tmp = Files.createDirectories(dir.resolve("tmp-b"));
                try (ThunderstreamProcess b = ThunderstreamProcess.startWithJavaOpts("-Xmx64m -Djava.io.tmpdir=" + tmp,
                        "sync", "-c", configB.toString(), "--log-level", "debug")) {
                    b.awaitLine(l -> l.contains("merging snapshot main__node-a__"), RUN);
                    b.kill9();
                    assertThat(b.output()).as("killed before the merge ended").doesNotContain("merged snapshot");
                }
                try (var left = Files.list(tmp)) { // (lmdbjava's extracted library may stay: not ours)
                    assertThat(left.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("thunderstream-")))
                            .as("temp files left by the killed process").isEmpty();
                }
                long afterKill = count(dir.resolve("b"));
                assertThat(afterKill).as("entries after a kill during the merge").isBetween(0L, (long) ENTRIES);
                assertEveryEntryIsOneOf(dir.resolve("b"), lmdbA);

                // 4. the restart converges on a's data
                try (ThunderstreamProcess b = ThunderstreamProcess.start("sync", "--only-once", "-c", configB.toString())) {
                    assertThat(b.awaitExit(RUN)).as(b.output()).isZero();
                }
                assertThat(count(dir.resolve("b"))).isEqualTo(ENTRIES);
                assertThat(digest(dir.resolve("b"))).isEqualTo(digest(lmdbA));
            }
        }

        private static List<String> snapshots(StorageBackend storage) throws Exception {
            return storage.list("").stream().map(BlobInfo::name).filter(n -> SnapshotName.parse(n).isPresent()).toList();
        }

        private static void assertEveryListedSnapshotIsWhole(StorageBackend storage) throws Exception {
            for (BlobInfo blob : storage.list("")) {
                long entries = 0;
                try (InputStream in = storage.read(blob.name()); SnapshotReader r = SnapshotReader.openGzip(in)) {
                    for (SnapshotReader.Event e; (e = r.next()) != SnapshotReader.Event.END; ) {
                        entries += e == SnapshotReader.Event.ENTRY ? 1 : 0;
                    }
                }
                assertThat(entries).as("entries of %s", blob.name()).isEqualTo(ENTRIES);
            }
        }
    }

    @Nested
    class OnTheFileBackend extends Scenario {
        @Override
        String storageYaml() {
            return "storage:\n  type: fs\n  options:\n    root_path: " + dir.resolve("bucket");
        }

        @Override
        StorageBackend storage() throws Exception {
            return StorageBackends.discover(getClass().getClassLoader())
                    .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
        }

        /** The file backend writes a hidden temp file and renames it when whole: wait for the temp file. */
        @Override
        void awaitUploadUnderway() throws Exception {
            long deadline = System.nanoTime() + RUN.toNanos();
            while (System.nanoTime() < deadline) {
                try (Stream<Path> files = Files.list(dir.resolve("bucket"))) {
                    if (files.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"))) {
                        return;
                    }
                } catch (java.nio.file.NoSuchFileException notYet) {
                    // the backend creates the directory on its first write
                }
                Thread.sleep(1);
            }
            throw new AssertionError("no upload started");
        }
    }

    @Nested
    class OnS3 extends Scenario {
        private String bucket;

        private S3ProxyServer server() throws Exception {
            S3ProxyServer server = S3ProxyServer.get();
            if (bucket == null) {
                bucket = server.newBucket();
            }
            return server;
        }

        @Override
        String storageYaml() throws Exception {
            StringBuilder yaml = new StringBuilder("storage:\n  type: s3\n  options:\n");
            server().options(bucket).forEach((k, v) -> yaml.append("    ").append(k).append(": ").append(v).append('\n'));
            return yaml.toString();
        }

        @Override
        StorageBackend storage() throws Exception {
            return StorageBackends.discover(getClass().getClassLoader()).open(StorageConfig.of("s3", server().options(bucket)));
        }
    }

    /** {@code n} random entries in one write transaction (an application's import). */
    static void writeBulk(Path lmdb, int n) {
        Random random = new Random(42);
        try (NativeLmdb app = NativeLmdb.open(lmdb, "records")) {
            Dbi<ByteBuffer> dbi = app.env().openDbi("records", DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
                ByteBuffer key = ByteBuffer.allocateDirect(16);
                ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 100);
                byte[] bytes = new byte[100];
                for (int i = 0; i < n; i++) {
                    key.clear();
                    key.put(String.format("key-%010d", i).getBytes()).flip();
                    random.nextBytes(bytes);
                    value.clear();
                    ValueHeader.write(value, 1_700_000_000_000_000_000L + i, txn.getId(), 0);
                    value.put(bytes).flip();
                    dbi.put(txn, key, value);
                }
                txn.commit();
            }
        }
    }

    static long count(Path lmdb) {
        try (NativeLmdb app = NativeLmdb.open(lmdb)) {
            if (app.env().getDbiNames().isEmpty()) {
                return 0;
            }
            Dbi<ByteBuffer> dbi = app.env().openDbi("records");
            try (Txn<ByteBuffer> txn = app.env().txnRead()) {
                return dbi.stat(txn).entries;
            }
        }
    }

    /** Every entry of {@code part} is in {@code whole} with the same timestamp, flags and value. */
    static void assertEveryEntryIsOneOf(Path part, Path whole) {
        if (count(part) == 0) {
            return;
        }
        try (NativeLmdb p = NativeLmdb.open(part); NativeLmdb w = NativeLmdb.open(whole);
                Txn<ByteBuffer> pt = p.env().txnRead(); Txn<ByteBuffer> wt = w.env().txnRead();
                Cursor<ByteBuffer> pc = p.env().openDbi("records").openCursor(pt);
                Cursor<ByteBuffer> wc = w.env().openDbi("records").openCursor(wt)) {
            for (boolean more = pc.first(); more; more = pc.next()) {
                ByteBuffer key = pc.key();
                assertThat(wc.get(key, org.lmdbjava.GetOp.MDB_SET_KEY)).as("key %s", ValueHeader.describeKey(key)).isTrue();
                ByteBuffer pv = pc.val();
                ByteBuffer wv = wc.val();
                // timestamp (bytes 0-7), then flags and value after the local txn id (bytes 8-15)
                assertThat(pv.duplicate().limit(pv.position() + 8)).isEqualTo(wv.duplicate().limit(wv.position() + 8));
                assertThat(pv.duplicate().position(pv.position() + 16)).isEqualTo(wv.duplicate().position(wv.position() + 16));
            }
        }
    }

    /** A digest of keys, timestamps, flags and values (not the local txn ids). */
    static String digest(Path lmdb) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (NativeLmdb app = NativeLmdb.open(lmdb)) {
            Dbi<ByteBuffer> dbi = app.env().openDbi("records");
            digestInto(md, app, dbi);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void digestInto(MessageDigest md, NativeLmdb app, Dbi<ByteBuffer> dbi) {
        try (Txn<ByteBuffer> txn = app.env().txnRead(); Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
            for (boolean more = c.first(); more; more = c.next()) {
                md.update(c.key());
                ByteBuffer v = c.val();
                md.update(v.duplicate().limit(v.position() + 8));
                md.update(v.duplicate().position(v.position() + 16));
            }
        }
    }
}
