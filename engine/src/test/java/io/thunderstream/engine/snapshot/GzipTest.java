package io.thunderstream.engine.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GzipTest {
    private static byte[] data(int size) {
        byte[] d = new byte[size];
        Random rnd = new Random(size);
        for (int i = 0; i < size; i++) {
            d[i] = (byte) (rnd.nextInt(8) == 0 ? rnd.nextInt() : 'a' + i % 13); // compressible, not trivially
        }
        return d;
    }

    private static byte[] gzip(byte[] data, OutputStreamFactory f) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = f.open(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    interface OutputStreamFactory {
        OutputStream open(OutputStream out) throws IOException;
    }

    private static int countMembers(byte[] gz) throws IOException {
        try (GunzipInputStream in = new GunzipInputStream(new ByteArrayInputStream(gz))) {
            in.readAllBytes();
            return in.members();
        }
    }

    @Test
    void parallelOutputIsMultiMemberGzipThatEveryReaderReads() throws Exception {
        byte[] data = data(700_000);
        byte[] gz = gzip(data, out -> new ParallelGzipOutputStream(out, 1, 2, 100_000));
        assertThat(countMembers(gz)).isEqualTo(7);
        assertThat(TestSnapshots.gunzip(gz)).isEqualTo(data);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        Path f = Files.createTempFile("ts-gzip", ".gz");
        try {
            Files.write(f, gz);
            Process p = new ProcessBuilder("gzip", "-dc", f.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(out).isEqualTo(data);
        } catch (IOException noGzipTool) {
            // gzip(1) missing: the two Java readers above already checked the stream
        } finally {
            Files.delete(f);
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void anyThreadCountWritesTheSameMembersInOrder(int threads) throws IOException {
        byte[] data = data(2_000_000);
        byte[] gz = gzip(data, out -> new ParallelGzipOutputStream(out, 1, threads, 50_000));
        assertThat(countMembers(gz)).isEqualTo(40);
        assertThat(TestSnapshots.gunzip(gz)).isEqualTo(data);
        // Workers or the calling thread: each member's bytes depend only on its block.
        assertThat(gz).isEqualTo(gzip(data, out -> new ParallelGzipOutputStream(out, 1, 1, 50_000)));
    }

    @Test
    void emptyInputGivesAValidStream() throws IOException {
        assertThat(TestSnapshots.gunzip(gzip(new byte[0], out -> new ParallelGzipOutputStream(out, 1, 2, 1000)))).isEmpty();
        assertThat(TestSnapshots.gunzip(gzip(new byte[0], Gzip::compress))).isEmpty();
    }

    @Test
    void levelIsApplied() throws IOException {
        byte[] data = data(300_000);
        int stored = gzip(data, out -> Gzip.compress(out, 0, 1)).length;
        int fast = gzip(data, out -> Gzip.compress(out, 1, 1)).length;
        int best = gzip(data, out -> Gzip.compress(out, 9, 1)).length;
        assertThat(stored).isGreaterThan(data.length);
        assertThat(fast).isLessThan(stored).isGreaterThanOrEqualTo(best);
    }

    @Test
    void readsMembersThatArriveSlowly() throws IOException {
        // The JDK's GZIPInputStream decides whether another member follows from available(), which
        // is 0 on a network stream: it would stop after the first member. We must not.
        byte[] a = data(5000);
        byte[] b = data(7000);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip(a, Gzip::compress));
        both.write(gzip(b, Gzip::compress));
        InputStream trickle = new ByteArrayInputStream(both.toByteArray()) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, 7));
            }

            @Override
            public synchronized int available() {
                return 0;
            }
        };
        byte[] expected = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        try (InputStream in = Gzip.decompress(trickle)) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
    }

    @Test
    void damageIsCorrupt() throws IOException {
        byte[] gz = gzip(data(10_000), Gzip::compress);
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 6] ^= 1;
        assertThatThrownBy(() -> TestSnapshots.gunzip(badCrc)).isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("CRC-32");
        byte[] badLength = gz.clone();
        badLength[gz.length - 2] ^= 1;
        assertThatThrownBy(() -> TestSnapshots.gunzip(badLength)).isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("length mismatch");
        byte[] trailingGarbage = Arrays.copyOf(gz, gz.length + 3);
        assertThatThrownBy(() -> TestSnapshots.gunzip(trailingGarbage)).isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("not a gzip header").hasMessageContaining("offset " + gz.length);
        byte[] truncated = Arrays.copyOf(gz, gz.length / 2);
        assertThatThrownBy(() -> TestSnapshots.gunzip(truncated)).isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("ends inside");
        byte[] badDeflate = gz.clone();
        for (int i = 12; i < 40; i++) {
            badDeflate[i] = (byte) 0xff;
        }
        assertThatThrownBy(() -> TestSnapshots.gunzip(badDeflate)).isInstanceOf(SnapshotCorruptException.class);
        assertThatThrownBy(() -> TestSnapshots.gunzip(new byte[0])).isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("empty");
    }

    @Test
    void headerWithOptionalFieldsIsRead() throws IOException {
        // gzip -N style header: FNAME and FEXTRA set
        byte[] member = gzip(data(100), Gzip::compress);
        ByteArrayOutputStream withFields = new ByteArrayOutputStream();
        withFields.write(new byte[] {0x1f, (byte) 0x8b, 8, 0x04 | 0x08, 0, 0, 0, 0, 0, 3, 2, 0, 'x', 'y'});
        withFields.write(new byte[] {'n', 'a', 'm', 'e', 0});
        withFields.write(member, 10, member.length - 10);
        assertThat(TestSnapshots.gunzip(withFields.toByteArray())).isEqualTo(data(100));
    }
}
