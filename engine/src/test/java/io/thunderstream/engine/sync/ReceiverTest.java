package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReceiverTest {

    private static final long LIMIT = 1024;

    private final StorageBackend storage;
    private final Receiver receiver;

    ReceiverTest() throws IOException {
        storage = StorageBackends.discover(getClass().getClassLoader()).open(StorageConfig.of("memory", Map.of()));
        receiver = new Receiver("main", "me", storage, Runnable::run,
                source -> io.thunderstream.engine.merge.SnapshotCheck.check(source, "main", 511), 1, LIMIT);
    }

    private SnapshotName store(String instance, int size) throws IOException {
        SnapshotName name = SnapshotName.of("main", instance, Instant.parse("2024-01-01T00:00:00Z"));
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        storage.write(name.toString(), new ByteArrayInputStream(bytes), size);
        return name;
    }

    private static byte[] read(Download d) throws IOException {
        try (InputStream in = d.source().open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void downloadsLargerThanTheLimitStreamToATempFileThatReleaseRemoves() throws IOException {
        SnapshotName big = store("big", (int) LIMIT + 1);
        Download d = receiver.download(big);
        assertThat(d.tempFile()).isNotNull().exists();
        assertThat(read(d)).hasSize((int) LIMIT + 1).isEqualTo(storage.read(big.toString()).readAllBytes());
        d.release();
        assertThat(d.tempFile()).doesNotExist();
    }

    @Test
    void memorySlotsLimitHowManyDownloadsStayInMemory() throws IOException {
        SnapshotName small = store("small", (int) LIMIT);
        Download first = receiver.download(small);
        assertThat(first.tempFile()).isNull();
        Download second = receiver.download(small); // the only slot is taken
        assertThat(second.tempFile()).isNotNull();
        assertThat(read(second)).isEqualTo(read(first));
        first.release();
        first.release(); // releasing twice frees the slot once
        second.release();
        Download third = receiver.download(small);
        assertThat(third.tempFile()).isNull();
        Download fourth = receiver.download(small);
        assertThat(fourth.tempFile()).isNotNull();
        third.release();
        fourth.release();
        assertThat(Files.exists(fourth.tempFile())).isFalse();
    }

    @Test
    void theMemoryLimitIsAShareOfTheHeap() {
        // -Xmx64m, memory_downloaded_snapshots 2, one LMDB: a quarter of the heap in two slots.
        assertThat(Receiver.memoryLimit(64L << 20, 2, 1)).isEqualTo(8L << 20);
        assertThat(Receiver.memoryLimit(64L << 20, 2, 4)).isEqualTo(2L << 20);
    }
}
