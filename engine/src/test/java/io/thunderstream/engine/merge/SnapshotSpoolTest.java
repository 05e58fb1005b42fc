package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotSpoolTest {

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** Records what a reader reads in uneven pieces, as an inflater hands them out, and skips. */
    private static void write(SnapshotSpool spool, byte[] bytes) throws IOException {
        try (InputStream in = spool.recording(new java.io.ByteArrayInputStream(bytes))) {
            byte[] buffer = new byte[70_001];
            for (int piece = 1; ; piece = piece * 3 % 70_001 + 1) {
                if (piece % 7 == 0 && in.skip(piece) > 0) {
                    continue; // skipped bytes are recorded too
                }
                if (in.read(buffer, 0, piece) < 0) {
                    break;
                }
            }
        }
        spool.finish();
    }

    private static byte[] read(SnapshotSpool spool) throws IOException {
        try (InputStream in = spool.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void keepsUpToItsLimitInMemoryAcrossChunks() throws IOException {
        byte[] bytes = random(700_000); // nearly three 256 KiB chunks
        AtomicInteger freed = new AtomicInteger();
        try (SnapshotSpool spool = new SnapshotSpool("thunderstream-test-", bytes.length, freed::incrementAndGet)) {
            write(spool, bytes);
            assertThat(spool.inMemory()).isTrue();
            assertThat(spool.size()).isEqualTo(bytes.length);
            assertThat(read(spool)).isEqualTo(bytes);
            assertThat(read(spool)).as("read twice").isEqualTo(bytes);
            assertThat(freed).hasValue(0);
        }
        assertThat(freed).hasValue(1);
    }

    @Test
    void beyondItsLimitMovesWhatItHoldsToAnUnlinkedTempFileAndFreesTheMemory() throws IOException {
        byte[] bytes = random(700_000);
        AtomicInteger freed = new AtomicInteger();
        try (SnapshotSpool spool = new SnapshotSpool("thunderstream-test-", 300_000, freed::incrementAndGet)) {
            write(spool, bytes);
            assertThat(spool.inMemory()).isFalse();
            assertThat(freed).as("memory freed at the move").hasValue(1);
            try (InputStream first = spool.open(); InputStream second = spool.open()) {
                // Two readers at once, each at its own position.
                assertThat(first.readNBytes(1000)).isEqualTo(java.util.Arrays.copyOf(bytes, 1000));
                assertThat(second.readAllBytes()).isEqualTo(bytes);
                assertThat(first.skip(500)).isEqualTo(500);
                assertThat(first.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 1500, bytes.length));
            }
            // No name in the temp directory: nothing to leave behind, even if the process is killed.
            try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith("thunderstream-test-"))).isEmpty();
            }
        }
        assertThat(freed).as("freed once").hasValue(1);
    }
}
