package io.thunderstream.bench;

import io.thunderstream.engine.snapshot.DbiSource;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotMeta;
import io.thunderstream.engine.snapshot.SnapshotWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The benchmark data set: one DBI of {@value #ENTRIES} entries, 14-byte keys in order and
 * 100-byte values (about 130 MB of protobuf), like a PowerDNS records shard. Held as two flat
 * arrays; the {@link DbiSource} walks them with two reused buffers, as an LMDB cursor would.
 *
 * <p>{@code main(dir)} writes {@code codec.pb} and {@code codec.pb.gz} (ours, level 1) for the
 * pigz / gzip baselines of run-codec.sh.
 */
public final class CodecData implements DbiSource {
    public static final int ENTRIES = 1_000_000;
    public static final int KEY_SIZE = 14;
    public static final int VALUE_SIZE = 100;
    public static final SnapshotMeta META = new SnapshotMeta("GX", "bench", "bench-host", 1000, 1704164645123456789L, "shard", 0);

    private final byte[] keys = new byte[ENTRIES * KEY_SIZE];
    private final byte[] values = new byte[ENTRIES * VALUE_SIZE];
    private final long[] timestamps = new long[ENTRIES];

    public CodecData() {
        Random rnd = new Random(42);
        for (int i = 0; i < ENTRIES; i++) {
            // sorted keys: a big-endian counter after a fixed prefix
            int k = i * KEY_SIZE;
            System.arraycopy("rec-".getBytes(), 0, keys, k, 4);
            long v = i * 7L;
            for (int j = 0; j < 10; j++) {
                keys[k + KEY_SIZE - 1 - j] = (byte) (v >>> (8 * j));
            }
            timestamps[i] = 1704164645123456789L + rnd.nextInt(1_000_000_000);
        }
        // Values: DNS-record-like, partly repetitive, partly random, so gzip has work to do.
        byte[] alphabet = "abcdefghijklmnopqrstuvwxyz0123456789.-".getBytes();
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 100 < 40 ? (byte) "example.org.IN.A.3600.ns1.example.net.".charAt(i % 38) : alphabet[rnd.nextInt(alphabet.length)];
        }
    }

    @Override
    public String name() {
        return "records_v5";
    }

    @Override
    public long flags() {
        return 0;
    }

    @Override
    public String transform() {
        return "";
    }

    @Override
    public void forEachEntry(EntrySink sink) throws IOException {
        ByteBuffer key = ByteBuffer.wrap(keys);
        ByteBuffer value = ByteBuffer.wrap(values);
        for (int i = 0; i < ENTRIES; i++) {
            key.limit((i + 1) * KEY_SIZE).position(i * KEY_SIZE);
            value.limit((i + 1) * VALUE_SIZE).position(i * VALUE_SIZE);
            sink.entry(key, value, timestamps[i], 0);
        }
    }

    /** Writes the snapshot protobuf to {@code out} (not closed). */
    public void write(OutputStream out) throws IOException {
        SnapshotWriter w = new SnapshotWriter(out, META);
        w.writeDbi(this);
        w.finish();
    }

    public byte[] protobuf() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(140 << 20);
        write(out);
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] data, int threads) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2);
        try (OutputStream gz = Gzip.compress(out, 1, threads)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        byte[] pb = new CodecData().protobuf();
        Files.write(dir.resolve("codec.pb"), pb);
        Files.write(dir.resolve("codec.pb.gz"), gzip(pb, 1));
        System.out.println(pb.length + " protobuf bytes written to " + dir);
    }
}
