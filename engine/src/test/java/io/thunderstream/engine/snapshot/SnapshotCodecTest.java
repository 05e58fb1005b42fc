package io.thunderstream.engine.snapshot;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.snapshot.TestSnapshots.Dbi;
import io.thunderstream.engine.snapshot.TestSnapshots.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static io.thunderstream.engine.snapshot.TestSnapshots.decodeProtobuf;
import static io.thunderstream.engine.snapshot.TestSnapshots.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotCodecTest {
    private static final SnapshotMeta META = new SnapshotMeta("GX", "node-a", "host-node-a", 42, 1704164645123456789L, "main", 0);

    // ---- round trips ----

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomSnapshotsRoundTrip(long seed) throws IOException {
        Random rnd = new Random(seed);
        List<Dbi> dbis = randomDbis(rnd);
        SnapshotMeta meta = new SnapshotMeta("GX", "i-" + seed, "h", rnd.nextInt(1000) + 1, rnd.nextLong(), "main",
                rnd.nextBoolean() ? 0 : rnd.nextInt(100));

        byte[] pb = encode(meta, dbis);
        TestSnapshots.Snapshot decoded = decodeProtobuf(pb);
        assertThat(decoded.formatVersion()).isEqualTo(3);
        assertThat(decoded.compatVersion()).isEqualTo(1);
        assertThat(decoded.meta()).isEqualTo(meta);
        assertThat(decoded.dbis()).isEqualTo(masked(dbis));

        // and through gzip: single member, and parallel with small blocks (many members)
        for (OutputStreamFactory gz : List.<OutputStreamFactory>of(
                out -> Gzip.compress(out, 1, 1),
                out -> new ParallelGzipOutputStream(out, 6, 2, 4096 + (int) seed))) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try (SnapshotWriter w = new SnapshotWriter(gz.open(file), meta)) {
                for (Dbi d : dbis) {
                    w.writeDbi(d);
                }
                assertThat(w.position()).isEqualTo(pb.length);
            }
            assertThat(TestSnapshots.gunzip(file.toByteArray())).isEqualTo(pb);
            try (SnapshotReader r = SnapshotReader.openGzip(new ByteArrayInputStream(file.toByteArray()))) {
                assertThat(TestSnapshots.decode(r).dbis()).isEqualTo(masked(dbis));
            }
        }
    }

    interface OutputStreamFactory {
        OutputStream open(OutputStream out) throws IOException;
    }

    static List<Dbi> randomDbis(Random rnd) {
        List<Dbi> dbis = new ArrayList<>();
        int n = 1 + rnd.nextInt(4);
        for (int d = 0; d < n; d++) {
            boolean integerKey = rnd.nextInt(3) == 0;
            int keySize = rnd.nextBoolean() ? 4 : 8;
            TreeMap<ByteBuffer, Entry> sorted = new TreeMap<>(integerKey ? (a, b) -> Long.compareUnsigned(intKey(a), intKey(b)) : ByteBuffer::compareTo);
            int count = rnd.nextInt(300);
            for (int i = 0; i < count; i++) {
                byte[] key;
                if (integerKey) {
                    ByteBuffer k = ByteBuffer.allocate(keySize).order(ByteOrder.LITTLE_ENDIAN);
                    if (keySize == 4) {
                        k.putInt(rnd.nextInt());
                    } else {
                        k.putLong(rnd.nextLong());
                    }
                    key = k.array();
                } else {
                    key = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 511 : 20)];
                    rnd.nextBytes(key);
                }
                int valueSize = switch (rnd.nextInt(20)) {
                    case 0, 1, 2 -> 0; // empty values (deleted or really empty)
                    case 3 -> rnd.nextInt(200_000);
                    default -> rnd.nextInt(120);
                };
                if (d == 0 && i == 0) {
                    valueSize = 1024 * 1024; // one maximal value per snapshot
                }
                byte[] value = new byte[valueSize];
                rnd.nextBytes(value);
                long ts = rnd.nextInt(10) == 0 ? 0 : rnd.nextLong();
                int flags = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 0; // unknown bits are dropped on write
                sorted.put(ByteBuffer.wrap(key), new Entry(key, value, ts, flags));
            }
            String transform = rnd.nextInt(5) == 0 ? "dupsort_hack_v1" : "";
            long flags = integerKey ? DbiFlags.INTEGERKEY : (transform.isEmpty() ? 0 : DbiFlags.DUPSORT);
            dbis.add(new Dbi("dbi-" + d + (rnd.nextBoolean() ? "_v5" : ""), flags, transform, new ArrayList<>(sorted.values())));
        }
        return dbis;
    }

    private static long intKey(ByteBuffer b) {
        ByteBuffer k = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return k.remaining() == 4 ? Integer.toUnsignedLong(k.getInt(0)) : k.getLong(0);
    }

    static List<Dbi> masked(List<Dbi> dbis) {
        return dbis.stream().map(d -> new Dbi(d.name(), d.flags(), d.transform(), d.entries().stream()
                .map(e -> new Entry(e.key(), e.value(), e.timestampNano(), e.flags() & 1)).toList())).toList();
    }

    // ---- exact layout ----

    @Test
    void writesLightningStreamsFieldLayout() throws IOException {
        byte[] pb = encode(META, List.of(
                new Dbi("domains", 0, "", List.of(
                        new Entry(b("a"), b("alpha"), 0x17a668b7375cf35dL, 0),
                        new Entry(b("b"), new byte[0], 0x17a668b7375cf745L, 0x81))),
                new Dbi("records", DbiFlags.INTEGERKEY, "dupsort_hack_v1", List.of()),
                new Dbi("", 0, "", List.of())));
        // As LS's hand-written writer: versions first, meta strings before numbers, DBI header
        // before the entries, KV flags before timestampNano, empty DBI message dropped.
        String expected = "0803" + "2001"
                + "122a" + "0a024758" + "12066e6f64652d61" + "1a0b686f73742d6e6f64652d61" + "3a046d61696e" + "202a" + "2915ff5c37b768a617"
                + "1a2e" + "0a07646f6d61696e73"
                + "1213" + "0a0161" + "1205616c706861" + "195df35c37b768a617"
                + "120e" + "0a0162" + "2001" + "1945f75c37b768a617"
                + "1a1c" + "0a077265636f726473" + "1808" + "220f" + HexFormat.of().formatHex(b("dupsort_hack_v1"));
        assertThat(HexFormat.of().formatHex(pb)).isEqualTo(expected);
    }

    @Test
    void sourceThatChangesBetweenPassesIsRefused() {
        DbiSource changing = new DbiSource() {
            int calls;

            public String name() {
                return "x";
            }

            public long flags() {
                return 0;
            }

            public String transform() {
                return "";
            }

            public void forEachEntry(EntrySink sink) throws IOException {
                sink.entry(ByteBuffer.wrap(b("k")), ByteBuffer.wrap(calls++ == 0 ? b("v") : b("vv")), 1, 0);
            }
        };
        assertThatThrownBy(() -> new SnapshotWriter(OutputStream.nullOutputStream(), META).writeDbi(changing))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("\"x\"");
    }

    // ---- reader: field order, versions ----

    @Test
    void fieldsInAnyOrderAreReportedWhenTheyArrive() throws IOException {
        Pb kv = new Pb().fixed64(3, 7).string(1, "k").uint(4, 1);
        byte[] pb = new Pb()
                .message(3, new Pb().message(2, kv).string(1, "late-name").uint(3, 8).string(4, "t"))
                .message(2, new Pb().string(1, "G").uint(4, 9))
                .uint(4, 2).uint(1, 5) // a future format version readable by version 2 readers
                .toByteArray();
        SnapshotReader r = new SnapshotReader(new ByteArrayInputStream(pb));
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.DBI_START);
        assertThat(r.dbiName()).isEmpty();
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.ENTRY);
        assertThat(TestSnapshots.bytes(r.key())).isEqualTo(b("k"));
        assertThat(r.timestampNano()).isEqualTo(7);
        assertThat(r.entryFlags()).isEqualTo(1);
        assertThat(r.valueLength()).isZero();
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.DBI_END);
        assertThat(r.dbiName()).isEqualTo("late-name");
        assertThat(r.dbiFlags()).isEqualTo(8);
        assertThat(r.dbiTransform()).isEqualTo("t");
        assertThat(r.meta()).isEqualTo(SnapshotMeta.EMPTY);
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.META);
        assertThat(r.meta().generationId()).isEqualTo("G");
        assertThat(r.meta().lmdbTxnId()).isEqualTo(9);
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.END);
        assertThat(r.formatVersion()).isEqualTo(5);
        assertThat(r.compatVersion()).isEqualTo(2);
        assertThat(r.next()).isEqualTo(SnapshotReader.Event.END);
        assertThat(r.position()).isEqualTo(pb.length);
    }

    @Test
    void emptyDbiGivesStartAndEnd() throws IOException {
        SnapshotReader r = new SnapshotReader(new ByteArrayInputStream(new Pb().uint(1, 3).message(3, new Pb().string(1, "e")).toByteArray()));
        assertThat(List.of(r.next(), r.next(), r.next())).containsExactly(SnapshotReader.Event.DBI_START,
                SnapshotReader.Event.DBI_END, SnapshotReader.Event.END);
    }

    @Test
    void formatVersionZeroOrMissingIsIncompatible() {
        assertThatThrownBy(() -> decodeProtobuf(new byte[0])).isInstanceOf(SnapshotIncompatibleException.class)
                .hasMessageContaining("formatVersion 0");
        assertThatThrownBy(() -> decodeProtobuf(new Pb().uint(4, 1).message(3, new Pb().string(1, "x")).toByteArray()))
                .isInstanceOf(SnapshotIncompatibleException.class);
    }

    @Test
    void compatVersionAboveThreeIsIncompatibleAtOnce() throws IOException {
        SnapshotReader r = new SnapshotReader(new ByteArrayInputStream(new Pb().uint(1, 4).uint(4, 4).raw((byte) 0xff).toByteArray()));
        assertThatThrownBy(r::next).isInstanceOf(SnapshotIncompatibleException.class)
                .hasMessageContaining("version 4").hasMessageContaining("byte offset 2");
        assertThat(decodeProtobuf(new Pb().uint(1, 4).uint(4, 3).toByteArray()).compatVersion()).isEqualTo(3);
    }

    // ---- reader: damage ----

    @Test
    void wrongWireTypesAreCorrupt() {
        assertThatThrownBy(() -> decodeProtobuf(new Pb().uint(1, 3).message(3, new Pb().string(1, "d")
                .message(2, new Pb().string(1, "k").uint(3, 5))).toByteArray()))
                .isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("KV.timestampNano has wire type 0").hasMessageContaining("DBI #0 \"d\" entry #0");
        assertThatThrownBy(() -> decodeProtobuf(new Pb().string(1, "3").toByteArray()))
                .isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("Snapshot.formatVersion");
        assertThatThrownBy(() -> decodeProtobuf(new Pb().uint(1, 3).tag(5, 3).toByteArray()))
                .isInstanceOf(SnapshotCorruptException.class).hasMessageContaining("wire type 3");
    }

    @Test
    void hostileLengthsDoNotAllocate() {
        // A DBI claiming 2^40 bytes holding an entry claiming 1.5 GiB: with -Xmx1g an eager
        // allocation would fail with OutOfMemoryError instead of a corrupt-snapshot error.
        byte[] pb = new Pb().uint(1, 3).tag(3, 2).varint(1L << 40).string(1, "big").tag(2, 2).varint(1536L << 20)
                .raw(new byte[1000]).toByteArray();
        assertThatThrownBy(() -> decodeProtobuf(pb)).isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("stream ends inside DBI.entries").hasMessageContaining("\"big\"");
        byte[] huge = new Pb().uint(1, 3).tag(2, 2).varint(1L << 40).toByteArray();
        assertThatThrownBy(() -> decodeProtobuf(huge)).isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("too large");
        byte[] unknown = new Pb().uint(1, 3).tag(9, 2).varint(1L << 40).raw(new byte[10]).toByteArray();
        assertThatThrownBy(() -> decodeProtobuf(unknown)).isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("stream ends inside Snapshot field 9");
        byte[] entryPastDbi = new Pb().uint(1, 3).message(3, new Pb().tag(2, 2).varint(5000).raw(new byte[3])).toByteArray();
        assertThatThrownBy(() -> decodeProtobuf(entryPastDbi)).isInstanceOf(SnapshotCorruptException.class)
                .hasMessageContaining("runs past the end of its DBI");
    }

    @Test
    void everyTruncationInsideADbiIsCorrupt() throws IOException {
        byte[] pb = encode(META, List.of(new Dbi("d", 0, "", List.of(new Entry(b("key"), b("value"), 5, 1), new Entry(b("l"), b("v"), 6, 0)))));
        int dbiStart = 4 + 2 + SnapshotWriter.encodeMeta(META).length; // where the DBI field begins
        assertThat(pb[dbiStart]).isEqualTo((byte) 0x1a);
        for (int cut = dbiStart + 1; cut < pb.length; cut++) {
            byte[] prefix = Arrays.copyOf(pb, cut);
            assertThatThrownBy(() -> decodeProtobuf(prefix)).as("cut at " + cut).isInstanceOf(SnapshotCorruptException.class);
        }
    }

    @Test
    void largeEntriesGrowTheBufferAndSpanReads() throws IOException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(9).nextBytes(big);
        List<Dbi> dbis = List.of(new Dbi("d", 0, "", List.of(new Entry(b("a"), big, 1, 0), new Entry(b("b"), b("small"), 2, 0))));
        byte[] pb = encode(META, dbis);
        // a stream that returns at most 1000 bytes per read
        TestSnapshots.Snapshot s = decodeProtobuf(new ByteArrayInputStream(pb) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1000));
            }
        });
        assertThat(s.dbis()).isEqualTo(dbis);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
