package io.thunderstream.engine.snapshot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** An in-memory snapshot model for tests: decode whole, encode from lists. */
final class TestSnapshots {
    private TestSnapshots() {
    }

    record Entry(byte[] key, byte[] value, long timestampNano, int flags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value)
                    && timestampNano == e.timestampNano && flags == e.flags;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return HexFormat.of().formatHex(key) + "=" + (value.length > 40 ? value.length + " bytes" : HexFormat.of().formatHex(value))
                    + "@" + timestampNano + "/" + flags;
        }
    }

    record Dbi(String name, long flags, String transform, List<Entry> entries) implements DbiSource {
        @Override
        public void forEachEntry(EntrySink sink) throws IOException {
            for (Entry e : entries) {
                sink.entry(ByteBuffer.wrap(e.key), ByteBuffer.wrap(e.value), e.timestampNano, e.flags);
            }
        }
    }

    record Snapshot(long formatVersion, long compatVersion, SnapshotMeta meta, List<Dbi> dbis) {
    }

    static Snapshot decode(SnapshotReader r) throws IOException {
        List<Dbi> dbis = new ArrayList<>();
        List<Entry> entries = null;
        for (SnapshotReader.Event e; (e = r.next()) != SnapshotReader.Event.END; ) {
            switch (e) {
                case DBI_START -> entries = new ArrayList<>();
                case ENTRY -> entries.add(new Entry(bytes(r.key()), bytes(r.value()), r.timestampNano(), r.entryFlags()));
                case DBI_END -> dbis.add(new Dbi(r.dbiName(), r.dbiFlags(), r.dbiTransform(), entries));
                default -> {
                }
            }
        }
        return new Snapshot(r.formatVersion(), r.compatVersion(), r.meta(), dbis);
    }

    static Snapshot decodeProtobuf(byte[] protobuf) throws IOException {
        return decode(new SnapshotReader(new ByteArrayInputStream(protobuf)));
    }

    static Snapshot decodeProtobuf(InputStream protobuf) throws IOException {
        return decode(new SnapshotReader(protobuf));
    }

    static byte[] encode(SnapshotMeta meta, List<Dbi> dbis) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotWriter w = new SnapshotWriter(out, meta)) {
            for (Dbi d : dbis) {
                w.writeDbi(d);
            }
        }
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return a;
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = Gzip.decompress(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
