package io.thunderstream.bench;

import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot codec speed on {@link CodecData} (1 M entries, 14-byte keys, 100-byte values).
 * {@code decode}/{@code encode}: raw protobuf, reported per entry (ops = entries).
 * {@code *Gzip*}: wall time for the whole snapshot, to compare with pigz / gzip -dc.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class CodecBenchmark {
    private CodecData data;
    private byte[] protobuf;
    private byte[] gzipped;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        data = new CodecData();
        protobuf = data.protobuf();
        gzipped = CodecData.gzip(protobuf, 1);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CodecData.ENTRIES)
    public long decode(Blackhole bh) throws IOException {
        return readAll(new SnapshotReader(new ByteArrayInputStream(protobuf)), bh);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(CodecData.ENTRIES)
    public long encode() throws IOException {
        SnapshotWriter w = new SnapshotWriter(OutputStream.nullOutputStream(), CodecData.META);
        w.writeDbi(data);
        w.finish();
        return w.position();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public long encodeGzip1() throws IOException {
        return encodeGzip(1);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public long encodeGzip1Parallel2() throws IOException {
        return encodeGzip(2);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public long gunzipDecode(Blackhole bh) throws IOException {
        return readAll(SnapshotReader.openGzip(new ByteArrayInputStream(gzipped)), bh);
    }

    private long encodeGzip(int threads) throws IOException {
        CountingOutputStream counter = new CountingOutputStream();
        try (OutputStream gz = Gzip.compress(counter, 1, threads)) {
            SnapshotWriter w = new SnapshotWriter(gz, CodecData.META);
            w.writeDbi(data);
            w.finish();
        }
        return counter.count;
    }

    private static long readAll(SnapshotReader r, Blackhole bh) throws IOException {
        long n = 0;
        for (SnapshotReader.Event e; (e = r.next()) != SnapshotReader.Event.END; ) {
            if (e == SnapshotReader.Event.ENTRY) {
                bh.consume(r.key());
                bh.consume(r.value());
                bh.consume(r.timestampNano());
                n++;
            }
        }
        return n;
    }

    private static final class CountingOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
