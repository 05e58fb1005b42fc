package io.thunderstream.engine.testing;

import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SplitPoint;
import io.thunderstream.engine.snapshot.DbiSource;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotMeta;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.EntryPosition;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import io.thunderstream.engine.snapshot.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** Builds snapshot files for tests, through the production encoder. */
public final class TestSnapshots {

    public record Kv(byte[] key, byte[] value, long timestampNano, int flags) {
        public static Kv of(String key, String value, long ts) {
            return new Kv(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), ts, 0);
        }

        public static Kv deleted(String key, long ts) {
            return new Kv(key.getBytes(StandardCharsets.UTF_8), new byte[0], ts, 1);
        }
    }

    public record Dbi(String name, long flags, String transform, List<Kv> entries) implements DbiSource {
        public static Dbi of(String name, Kv... entries) {
            return new Dbi(name, 0, "", List.of(entries));
        }

        /** {@code entries} entries {@code key-000000}, {@code key-000001}, ... with values {@code value-<i>-<ts>}. */
        public static Dbi numbered(String name, int entries, long ts) {
            List<Kv> kvs = new ArrayList<>(entries);
            for (int i = 0; i < entries; i++) {
                kvs.add(Kv.of(String.format("key-%06d", i), "value-" + i + "-" + ts, ts));
            }
            return new Dbi(name, 0, "", kvs);
        }

        @Override
        public void forEachEntry(EntrySink sink) throws IOException {
            for (Kv kv : entries) {
                sink.entry(ByteBuffer.wrap(kv.key()), ByteBuffer.wrap(kv.value()), kv.timestampNano(), kv.flags());
            }
        }
    }

    private TestSnapshots() {
    }

    /** A gzipped snapshot of database {@code db} from instance {@code instance}. */
    public static byte[] gzip(String db, String instance, Dbi... dbis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotWriter writer = new SnapshotWriter(Gzip.compress(out),
                new SnapshotMeta("GX", instance, "test-host", 1, 1, db, 0))) {
            for (Dbi dbi : dbis) {
                writer.writeDbi(dbi);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The shared test vector {@code NAME.pb.gz}. */
    public static byte[] vector(String name) {
        String shared = System.getProperty("thunderstream.shared.dir");
        if (shared == null) {
            throw new IllegalStateException("system property thunderstream.shared.dir is not set (surefire sets it)");
        }
        try {
            return Files.readAllBytes(Path.of(shared, "testdata", "snapshots", name + ".pb.gz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A source over {@code bytes} that counts in {@code opens} how often it is opened. */
    public static SnapshotSource counting(byte[] bytes, AtomicInteger opens) {
        return SnapshotSource.of("counted", () -> {
            opens.incrementAndGet();
            return new java.io.ByteArrayInputStream(bytes);
        });
    }

    /** {@code source}, counting the streams it opens. */
    public static SnapshotSource counting(SnapshotSource source, AtomicInteger opens) {
        return wrappingStreams(source, in -> {
            opens.incrementAndGet();
            return in;
        });
    }

    /** {@code source} with each stream it opens passed through {@code wrap}. */
    public static SnapshotSource wrappingStreams(SnapshotSource source, UnaryOperator<InputStream> wrap) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return source.name();
            }

            @Override
            public InputStream open() throws IOException {
                return wrap.apply(source.open());
            }

            @Override
            public boolean decompressed() {
                return source.decompressed();
            }

            @Override
            public Optional<Map<String, Long>> checkedDbiFlags() {
                return source.checkedDbiFlags();
            }

            @Override
            public Optional<SplitPoint> splitPoint() {
                return source.splitPoint();
            }
        };
    }

    public static List<Kv> entries(Kv... kvs) {
        return new ArrayList<>(List.of(kvs));
    }

    /** Where entry #{@code index} of DBI {@code dbi} begins in {@code source}. */
    public static EntryPosition entryPosition(SnapshotSource source, String dbi, long index) throws IOException {
        try (SnapshotReader reader = source.reader()) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY && reader.dbiName().equals(dbi) && reader.entryIndex() == index) {
                    return reader.entryPosition();
                }
            }
        }
        throw new IllegalArgumentException("no entry #" + index + " in DBI " + dbi);
    }
}
