package io.thunderstream.engine.snapshot;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.thunderstream.engine.lmdb.DbiFlags;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Dumps a snapshot as it is decoded, for {@code thunderstream snapshots dump}: as JSON in the
 * schema of the test vectors' {@code NAME.json} files, or as a readable text listing. Both
 * stream: memory does not grow with the snapshot.
 *
 * <p>JSON: one document {@code {dbis: [{name, entries: [{key, value, timestampNano, flags}],
 * flags, transform}], formatVersion, compatVersion, meta: {...}}}, bytes as lowercase hex, raw
 * values (no format-1 interpretation). Keys are written in the order the values become final
 * (DBI flags and the versions may follow the entries on the wire), which JSON does not mind.
 */
public final class SnapshotJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private SnapshotJson() {
    }

    /**
     * Writes the whole snapshot as one JSON document.
     *
     * @param dbi only this DBI's entries ({@code null}: all); other DBIs are left out
     */
    public static void writeJson(SnapshotReader reader, OutputStream out, String dbi) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.useDefaultPrettyPrinter();
            char[] hex = new char[256];
            g.writeStartObject();
            g.writeArrayFieldStart("dbis");
            boolean selected = false;
            for (SnapshotReader.Event e; (e = reader.next()) != SnapshotReader.Event.END; ) {
                switch (e) {
                    case DBI_START -> {
                        selected = dbi == null || dbi.equals(reader.dbiName());
                        if (selected) {
                            g.writeStartObject();
                            g.writeStringField("name", reader.dbiName());
                            g.writeArrayFieldStart("entries");
                        }
                    }
                    case ENTRY -> {
                        if (selected) {
                            g.writeStartObject();
                            hex = writeHexField(g, "key", reader.key(), hex);
                            hex = writeHexField(g, "value", reader.value(), hex);
                            g.writeFieldName("timestampNano");
                            writeUnsigned(g, reader.timestampNano());
                            g.writeNumberField("flags", Integer.toUnsignedLong(reader.entryFlags()));
                            g.writeEndObject();
                        }
                    }
                    case DBI_END -> {
                        if (selected) {
                            g.writeEndArray();
                            g.writeFieldName("flags");
                            writeUnsigned(g, reader.dbiFlags());
                            g.writeStringField("transform", reader.dbiTransform());
                            g.writeEndObject();
                        }
                    }
                    default -> {
                    }
                }
            }
            g.writeEndArray();
            g.writeNumberField("formatVersion", reader.formatVersion());
            g.writeNumberField("compatVersion", reader.compatVersion());
            SnapshotMeta m = reader.meta();
            g.writeObjectFieldStart("meta");
            g.writeStringField("generationID", m.generationId());
            g.writeStringField("instanceID", m.instanceId());
            g.writeStringField("hostname", m.hostname());
            g.writeNumberField("lmdbTxnID", m.lmdbTxnId());
            g.writeFieldName("timestampNano");
            writeUnsigned(g, m.timestampNano());
            g.writeStringField("databaseName", m.databaseName());
            g.writeNumberField("fromLmdbTxnID", m.fromLmdbTxnId());
            g.writeEndObject();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    /**
     * Writes a readable listing: one line per entry, printable keys and values as quoted text,
     * others as {@code 0x} hex, timestamps also as ISO-8601.
     *
     * @param dbi only this DBI ({@code null}: all)
     */
    public static void writeText(SnapshotReader reader, PrintWriter out, String dbi) throws IOException {
        boolean selected = false;
        long dbis = 0;
        long entries = 0;
        StringBuilder line = new StringBuilder(256);
        for (SnapshotReader.Event e; (e = reader.next()) != SnapshotReader.Event.END; ) {
            switch (e) {
                case META -> {
                    SnapshotMeta m = reader.meta();
                    out.println("meta: generationID=" + m.generationId() + " instanceID=" + m.instanceId() + " hostname="
                            + m.hostname() + " databaseName=" + m.databaseName() + " lmdbTxnID=" + m.lmdbTxnId()
                            + " fromLmdbTxnID=" + m.fromLmdbTxnId() + " timestamp=" + timestamp(m.timestampNano()));
                }
                case DBI_START -> {
                    selected = dbi == null || dbi.equals(reader.dbiName());
                    dbis++;
                    if (selected) {
                        out.println("dbi " + quote(reader.dbiName()) + " flags=" + DbiFlags.toString(reader.dbiFlags())
                                + " transform=" + quote(reader.dbiTransform()));
                    }
                }
                case ENTRY -> {
                    entries++;
                    if (selected) {
                        line.setLength(0);
                        line.append("  ");
                        appendBytes(line, reader.key());
                        line.append(" = ");
                        appendBytes(line, reader.value());
                        line.append("  ").append(timestamp(reader.timestampNano()));
                        if (reader.entryFlags() != 0) {
                            line.append(" flags=0x").append(Integer.toHexString(reader.entryFlags()));
                            if ((reader.entryFlags() & 1) != 0) {
                                line.append(" deleted");
                            }
                        }
                        out.println(line);
                    }
                }
                case DBI_END -> {
                    if (selected) {
                        out.println("end of dbi " + quote(reader.dbiName()) + ": " + (reader.entryIndex() + 1) + " entries, flags="
                                + DbiFlags.toString(reader.dbiFlags()) + " transform=" + quote(reader.dbiTransform()));
                    }
                }
                default -> {
                }
            }
        }
        out.println("snapshot: formatVersion=" + reader.formatVersion() + " compatVersion=" + reader.compatVersion()
                + ", " + dbis + " DBIs, " + entries + " entries, " + reader.position() + " protobuf bytes");
        out.flush();
    }

    /** Lowercase hex of the buffer's remaining bytes. */
    public static String hex(ByteBuffer b) {
        StringBuilder sb = new StringBuilder(b.remaining() * 2);
        for (int i = b.position(); i < b.limit(); i++) {
            sb.append(HEX[(b.get(i) >> 4) & 0xf]).append(HEX[b.get(i) & 0xf]);
        }
        return sb.toString();
    }

    private static char[] writeHexField(JsonGenerator g, String name, ByteBuffer b, char[] scratch) throws IOException {
        int n = b.remaining();
        char[] c = scratch.length >= 2 * n ? scratch : new char[2 * n];
        int p = b.position();
        for (int i = 0; i < n; i++) {
            int x = b.get(p + i);
            c[2 * i] = HEX[(x >> 4) & 0xf];
            c[2 * i + 1] = HEX[x & 0xf];
        }
        g.writeFieldName(name);
        g.writeString(c, 0, 2 * n);
        return c;
    }

    private static void writeUnsigned(JsonGenerator g, long v) throws IOException {
        if (v >= 0) {
            g.writeNumber(v);
        } else {
            g.writeNumber(BigInteger.valueOf(v).add(TWO_64));
        }
    }

    private static String timestamp(long nanos) {
        String iso = nanos < 0 ? "out of range" : Instant.ofEpochSecond(0, nanos).toString();
        return Long.toUnsignedString(nanos) + " (" + iso + ")";
    }

    private static void appendBytes(StringBuilder sb, ByteBuffer b) {
        boolean printable = true;
        for (int i = b.position(); i < b.limit() && printable; i++) {
            int x = b.get(i) & 0xff;
            printable = x >= 0x20 && x < 0x7f;
        }
        if (printable) {
            sb.append('"');
            for (int i = b.position(); i < b.limit(); i++) {
                char ch = (char) b.get(i);
                if (ch == '"' || ch == '\\') {
                    sb.append('\\');
                }
                sb.append(ch);
            }
            sb.append('"');
        } else {
            sb.append("0x").append(hex(b));
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
