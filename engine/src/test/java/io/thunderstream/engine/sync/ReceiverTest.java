package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReceiverTest {

    private static final long LIMIT = 1024;

    private final StorageBackend storage;
    private final Receiver receiver;

    ReceiverTest() throws IOException {
        storage = StorageBackends.discover(getClass().getClassLoader()).open(StorageConfig.of("memory", Map.of()));
        receiver = new Receiver("main", "me", storage, Runnable::run, (source, spool) -> SnapshotCheck.check(source, "main",
                511, SnapshotCheck.NATIVE_RULES, spool), 1, 1, LIMIT);
    }

    private SnapshotName store(String instance, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return store(instance, bytes);
    }

    private SnapshotName store(String instance, byte[] bytes) throws IOException {
        SnapshotName name = SnapshotName.of("main", instance, Instant.parse("2024-01-01T00:00:00Z"));
        storage.write(name.toString(), new ByteArrayInputStream(bytes), bytes.length);
        return name;
    }

    /** A snapshot of {@code entries} entries: 4 KiB of protobuf compress to far less. */
    private static byte[] snapshot(int entries) {
        List<Kv> kvs = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            kvs.add(Kv.of(String.format("key-%06d", i), "value-" + i, 1_700_000_000_000_000_000L));
        }
        return TestSnapshots.gzip("main", "remote", new Dbi("data", 0, "", kvs));
    }

    private static byte[] gunzip(byte[] compressed) throws IOException {
        try (InputStream in = Gzip.decompress(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    private static byte[] read(Download d) throws IOException {
        try (InputStream in = d.source().open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void downloadsLargerThanTheLimitStreamToATempFileThatNobodyElseSees() throws IOException {
        Set<Path> before = spoolFiles();
        SnapshotName big = store("big", (int) LIMIT + 1);
        Download d = receiver.download(big);
        assertThat(d.spool().inMemory()).isFalse();
        assertThat(read(d)).hasSize((int) LIMIT + 1).isEqualTo(storage.read(big.toString()).readAllBytes());
        assertThat(read(d)).as("read twice").hasSize((int) LIMIT + 1);
        // Unlinked once open: no name in the temp directory, so nothing is left behind even by kill -9.
        assertThat(spoolFiles()).isEqualTo(before);
        d.release();
    }

    @Test
    void memorySlotsLimitHowManyDownloadsStayInMemory() throws IOException {
        SnapshotName small = store("small", (int) LIMIT);
        Download first = receiver.download(small);
        assertThat(first.spool().inMemory()).isTrue();
        Download second = receiver.download(small); // the only slot is taken
        assertThat(second.spool().inMemory()).isFalse();
        assertThat(read(second)).isEqualTo(read(first));
        first.release();
        first.release(); // releasing twice frees the slot once
        second.release();
        Download third = receiver.download(small);
        assertThat(third.spool().inMemory()).isTrue();
        Download fourth = receiver.download(small);
        assertThat(fourth.spool().inMemory()).isFalse();
        third.release();
        fourth.release();
    }

    @Test
    void aCheckedDownloadIsKeptDecompressedSoTheMergeDoesNotInflateItAgain() throws IOException {
        byte[] small = snapshot(10);
        byte[] large = snapshot(200);
        assertThat(gunzip(small).length).isLessThanOrEqualTo((int) LIMIT);
        assertThat(gunzip(large).length).isGreaterThan((int) LIMIT);
        Set<Path> before = spoolFiles();

        Download first = receiver.checked(receiver.download(store("small", small)));
        assertThat(first.source().decompressed()).isTrue();
        assertThat(first.source().checkedDbiFlags()).contains(Map.of("data", 0L));
        assertThat(first.spool().inMemory()).isTrue();
        assertThat(read(first)).isEqualTo(gunzip(small));
        // The compressed download was freed: the next one gets the memory slot again.
        Download next = receiver.download(store("next", small));
        assertThat(next.spool().inMemory()).isTrue();
        next.release();

        // The only decompressed slot is taken: the next check spools to a temp file.
        Download second = receiver.checked(receiver.download(store("second", small)));
        assertThat(second.spool().inMemory()).isFalse();
        assertThat(read(second)).isEqualTo(gunzip(small));
        second.release();

        first.release();
        // Larger than the limit: a temp file even with the slot free, and the slot stays free.
        Download big = receiver.checked(receiver.download(store("big", large)));
        assertThat(big.spool().inMemory()).isFalse();
        assertThat(read(big)).isEqualTo(gunzip(large));
        Download third = receiver.checked(receiver.download(store("third", small)));
        assertThat(third.spool().inMemory()).isTrue();
        assertThat(spoolFiles()).isEqualTo(before);
        big.release();
        third.release();
    }

    @Test
    void aDownloadThatFailsTheCheckIsHandedOnUncheckedAndHoldsNoSpool() throws IOException {
        byte[] good = snapshot(10);
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 5);
        Download bad = receiver.checked(receiver.download(store("cut", cut)));
        assertThat(bad.source().decompressed()).isFalse();
        assertThat(bad.source().checkedDbiFlags()).isEmpty();
        assertThat(read(bad)).isEqualTo(cut);
        bad.release();
        // The decompressed slot was given back.
        Download ok = receiver.checked(receiver.download(store("good", good)));
        assertThat(ok.source().decompressed()).isTrue();
        assertThat(ok.spool().inMemory()).isTrue();
        ok.release();
    }

    /** This receiver's temp files that have a name in the temp directory. */
    private static Set<Path> spoolFiles() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("thunderstream-main-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void theMemoryLimitIsAShareOfTheHeap() {
        // -Xmx64m, memory_downloaded_snapshots 2, one LMDB: a quarter of the heap in two slots.
        assertThat(Receiver.memoryLimit(64L << 20, 2, 1)).isEqualTo(8L << 20);
        assertThat(Receiver.memoryLimit(64L << 20, 2, 4)).isEqualTo(2L << 20);
    }
}
