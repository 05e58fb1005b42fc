package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link StorageBackend} promises. A backend's test extends this class and
 * implements {@link #openEmptyBackend()}; the class is published in the api test-jar so that
 * third-party backends run the same checks.
 */
public abstract class StorageBackendContractTest {

    protected StorageBackend backend;

    /** A backend over storage that holds no blobs; closed after each test. */
    protected abstract StorageBackend openEmptyBackend() throws Exception;

    /** Blobs for the listing test; a backend with slow writes may lower it, but keep it past one page (1000). */
    protected int manyBlobs() {
        return 1100;
    }

    @BeforeEach
    void open() throws Exception {
        backend = openEmptyBackend();
    }

    @AfterEach
    void close() throws Exception {
        if (backend != null) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1000})
    void writeThenReadSmall(int size) throws IOException {
        byte[] data = pattern(size, 7);
        backend.write("blob", data);
        assertThat(backend.readAllBytes("blob")).isEqualTo(data);
    }

    @Test
    void writeThenRead64MiBStreamed() throws Exception {
        long size = 64L << 20;
        backend.write("big", new PatternStream(size, 3), size);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        new PatternStream(size, 3).transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), expected));
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        try (InputStream in = backend.read("big")) {
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), actual));
        }
        assertThat(actual.digest()).isEqualTo(expected.digest());
        assertThat(backend.list("big")).extracting(BlobInfo::name, BlobInfo::size).containsExactly(tuple("big", size));
    }

    @Test
    void writeOfUnknownSize() throws IOException {
        byte[] data = pattern(300_000, 5);
        backend.write("unsized", new ByteArrayInputStream(data), -1);
        assertThat(backend.readAllBytes("unsized")).isEqualTo(data);
    }

    /**
     * Snapshots are stored with their size unknown, and most are small: such a write takes about
     * the memory of one whose size is known, not a buffer of the largest part or block it might
     * need (S3's 16 MiB), which every store would allocate (a humongous object for G1).
     */
    @Test
    void writeOfUnknownSizeTakesNoMoreMemoryThanOfAKnownSize() throws IOException {
        byte[] data = pattern(300_000, 5);
        backend.write("first-known", new ByteArrayInputStream(data), data.length); // the client's one-off allocations
        backend.write("first-unknown", new ByteArrayInputStream(data), -1);
        long known = allocatedByThisThread(() -> backend.write("known", new ByteArrayInputStream(data), data.length));
        long unknown = allocatedByThisThread(() -> backend.write("unknown", new ByteArrayInputStream(data), -1));
        assertThat(unknown - known).as("bytes allocated to store 300,000 bytes of unknown size (%d) beyond those of known size (%d)",
                unknown, known).isLessThan(256 << 10);
    }

    private interface Write {
        void run() throws IOException;
    }

    private static long allocatedByThisThread(Write write) throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        write.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void overwriteReplacesContent() throws IOException {
        backend.write("blob", pattern(5000, 1));
        backend.write("blob", pattern(10, 2));
        assertThat(backend.readAllBytes("blob")).isEqualTo(pattern(10, 2));
        assertThat(backend.list("")).extracting(BlobInfo::name, BlobInfo::size).containsExactly(tuple("blob", 10L));
    }

    @Test
    void listByPrefixIsSortedAndCompletePastOnePage() throws Exception {
        int count = manyBlobs();
        List<String> names = IntStream.range(0, count).mapToObj(i -> String.format("main__node-%05d__x.pb.gz", count - 1 - i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (String name : names) {
                writes.add(pool.submit(() -> {
                    backend.write(name, new byte[] {1});
                    return null;
                }));
            }
            for (Future<?> w : writes) {
                w.get();
            }
        } finally {
            pool.shutdown();
        }
        backend.write("shard__node-1__x.pb.gz", new byte[] {1, 2});
        backend.write("mainly-not", new byte[] {1, 2, 3});

        List<BlobInfo> listed = backend.list("main__");
        assertThat(listed).hasSize(count);
        assertThat(listed).extracting(BlobInfo::name).isSorted().containsExactlyInAnyOrderElementsOf(names);
        assertThat(backend.list("")).hasSize(count + 2);
        assertThat(backend.list("shard__")).extracting(BlobInfo::name, BlobInfo::size)
                .containsExactly(tuple("shard__node-1__x.pb.gz", 2L));
        assertThat(backend.list("nothing-here")).isEmpty();
    }

    @Test
    void listReportsSizes() throws IOException {
        backend.write("a", pattern(0, 0));
        backend.write("b", pattern(17, 0));
        backend.write("c", pattern(70_000, 0));
        assertThat(backend.list("")).extracting(BlobInfo::name, BlobInfo::size).containsExactly(
                tuple("a", 0L),
                tuple("b", 17L),
                tuple("c", 70_000L));
    }

    @Test
    void deleteIsIdempotent() throws IOException {
        backend.write("gone", new byte[] {9});
        backend.delete("gone");
        backend.delete("gone");
        backend.delete("never-there");
        assertThat(backend.list("")).isEmpty();
        assertThatThrownBy(() -> backend.read("gone")).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void readOfMissingBlobIsNotFound() {
        assertThatThrownBy(() -> backend.readAllBytes("missing"))
                .isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void concurrentWritersOfDifferentNames() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        backend.write("w" + id + "-" + i, pattern(100_000 + id, id));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(backend.list("w")).hasSize(writers * 5);
        for (int w = 0; w < writers; w++) {
            assertThat(backend.readAllBytes("w" + w + "-4")).isEqualTo(pattern(100_000 + w, w));
        }
    }

    @Test
    void failedWriteLeavesNoBlob() throws IOException {
        InputStream breaksMidway = new PatternStream(10L << 20, 1) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position() > (3L << 20)) {
                    throw new IOException("source broke on purpose");
                }
                return super.read(b, off, len);
            }
        };
        assertThatThrownBy(() -> backend.write("broken", breaksMidway, 10L << 20)).isInstanceOf(IOException.class);
        assertThat(backend.list("")).isEmpty();
        assertThatThrownBy(() -> backend.read("broken")).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void failedOverwriteKeepsTheOldBlob() throws IOException {
        backend.write("keep", pattern(1000, 4));
        assertThatThrownBy(() -> backend.write("keep", new ByteArrayInputStream(pattern(10, 1)), 20))
                .isInstanceOf(IOException.class);
        assertThat(backend.readAllBytes("keep")).isEqualTo(pattern(1000, 4));
    }

    @Test
    void dataLongerOrShorterThanDeclaredLeavesNoBlob() throws IOException {
        assertThatThrownBy(() -> backend.write("longer", new ByteArrayInputStream(pattern(1001, 1)), 1000))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> backend.write("shorter", new ByteArrayInputStream(pattern(999, 1)), 1000))
                .isInstanceOf(IOException.class);
        assertThat(backend.list("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/etc/passwd", "../escape", "a/../../b", "a/./b", "a//b", "trailing/", "nul\u0000byte",
            "line\nbreak", ".hidden", "dir/.hidden", "back\\slash"})
    void invalidNamesAreRefused(String name) {
        assertThatThrownBy(() -> backend.write(name, new byte[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid blob name");
        assertThatThrownBy(() -> backend.read(name)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.delete(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesWithSlashesAreOrdinaryNames() throws IOException {
        backend.write("env1/main__a__x.pb.gz", new byte[] {1});
        backend.write("env2/main__a__x.pb.gz", new byte[] {2});
        assertThat(backend.list("env1/")).extracting(BlobInfo::name).containsExactly("env1/main__a__x.pb.gz");
        assertThat(backend.readAllBytes("env2/main__a__x.pb.gz")).containsExactly(2);
    }

    /** Deterministic bytes that differ per seed and position, so that misplaced bytes are caught. */
    protected static byte[] pattern(int size, int seed) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) (i * 31 + seed * 17 + (i >>> 8));
        }
        return out;
    }

    /** {@link #pattern} of any length, generated on the fly. */
    protected static class PatternStream extends InputStream {
        private final long size;
        private final int seed;
        private long position;

        protected PatternStream(long size, int seed) {
            this.size = size;
            this.seed = seed;
        }

        protected long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            return InputStreams.readByte(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                long p = position + i;
                b[off + i] = (byte) (p * 31 + seed * 17 + (p >>> 8));
            }
            position += n;
            return n;
        }
    }
}
