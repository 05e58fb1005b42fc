package io.thunderstream.engine.snapshot;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Streaming encoder of a snapshot protobuf, field layout byte-identical to Lightning Stream's
 * hand-written writer (snapshot/ package in LS):
 * <ul>
 * <li>top level: {@code formatVersion} 3, {@code compatVersion} 1, {@code meta} (if not
 *     empty), then one {@code databases} field per DBI (a DBI that encodes to nothing is
 *     left out);</li>
 * <li>meta: generationID, instanceID, hostname, databaseName, then lmdbTxnID, timestampNano,
 *     fromLmdbTxnID; empty strings and zero (or negative) numbers are left out;</li>
 * <li>DBI: name, flags, transform (each left out when empty/zero), then the entries;</li>
 * <li>KV: key, value, flags, timestampNano (each left out when empty/zero; flags masked to
 *     0x01). An entry with none of these is not written.</li>
 * </ul>
 * Note the order differs from protobuf's field-number order (which {@code protoc} and
 * generated code use): flags before timestampNano, DBI header before the entries. Readers do
 * not care; byte comparisons with other encoders must.
 *
 * <p>Write to a gzip stream from {@link Gzip#compress} for a {@code .pb.gz} file. Not
 * thread-safe. {@link #close()} closes the underlying stream; {@link #finish()} does not.
 */
public final class SnapshotWriter implements Closeable {
    public static final int FORMAT_VERSION = 3;
    public static final int COMPAT_VERSION = 1;

    private static final int BUFFER = 64 * 1024;
    private static final int KV_DELETED_FLAG = 0x01;

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private long flushed;
    private boolean finished;

    private final SizingSink sizing = new SizingSink();
    private final WritingSink writing = new WritingSink();

    /** Starts a snapshot: writes the version fields and {@code meta}. */
    public SnapshotWriter(OutputStream out, SnapshotMeta meta) throws IOException {
        this.out = out;
        writeTag(1, 0);
        writeVarint(FORMAT_VERSION);
        writeTag(4, 0);
        writeVarint(COMPAT_VERSION);
        byte[] metaBytes = encodeMeta(meta);
        if (metaBytes.length > 0) {
            writeTag(2, 2);
            writeVarint(metaBytes.length);
            writeBytes(metaBytes, 0, metaBytes.length);
        }
    }

    /**
     * Writes one DBI: a sizing pass over {@code dbi}'s entries, then the writing pass.
     *
     * @throws IllegalStateException if the two passes did not yield the same bytes
     */
    public void writeDbi(DbiSource dbi) throws IOException {
        if (finished) {
            throw new IllegalStateException("snapshot already finished");
        }
        byte[] name = dbi.name().getBytes(StandardCharsets.UTF_8);
        byte[] transform = dbi.transform().getBytes(StandardCharsets.UTF_8);
        long flags = dbi.flags();
        long headerSize = 0;
        if (name.length > 0) {
            headerSize += 1 + varintSize(name.length) + name.length;
        }
        if (flags != 0) {
            headerSize += 1 + varintSize(flags);
        }
        if (transform.length > 0) {
            headerSize += 1 + varintSize(transform.length) + transform.length;
        }
        sizing.size = 0;
        dbi.forEachEntry(sizing);
        long size = headerSize + sizing.size;
        if (size == 0) {
            return; // as LS: an empty DBI message is not written
        }
        writeTag(3, 2);
        writeVarint(size);
        long start = position();
        if (name.length > 0) {
            writeTag(1, 2);
            writeVarint(name.length);
            writeBytes(name, 0, name.length);
        }
        if (flags != 0) {
            writeTag(3, 0);
            writeVarint(flags);
        }
        if (transform.length > 0) {
            writeTag(4, 2);
            writeVarint(transform.length);
            writeBytes(transform, 0, transform.length);
        }
        dbi.forEachEntry(writing);
        long written = position() - start;
        if (written != size) {
            throw new IllegalStateException("DBI \"" + dbi.name() + "\" yielded " + written + " bytes in the writing pass but "
                    + size + " in the sizing pass: its source must yield the same entries twice");
        }
    }

    /** Protobuf bytes written so far (buffered ones included). */
    public long position() {
        return flushed + pos;
    }

    /** Flushes everything to the underlying stream; no more DBIs can be written. */
    public void finish() throws IOException {
        if (!finished) {
            finished = true;
            flushBuffer();
            out.flush();
        }
    }

    /** {@link #finish()}, then closes the underlying stream (for gzip: writes its trailer). */
    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            out.close();
        }
    }

    // ---- sizes ----

    static int varintSize(long v) {
        // 1 byte per started group of 7 bits, at least 1
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    private static int kvSize(int keyLength, int valueLength, long timestampNano, int flags) {
        int n = 0;
        if (keyLength > 0) {
            n += 1 + varintSize(keyLength) + keyLength;
        }
        if (valueLength > 0) {
            n += 1 + varintSize(valueLength) + valueLength;
        }
        if ((flags & KV_DELETED_FLAG) != 0) {
            n += 2;
        }
        if (timestampNano != 0) {
            n += 9;
        }
        return n;
    }

    private final class SizingSink implements DbiSource.EntrySink {
        long size;

        @Override
        public void entry(ByteBuffer key, ByteBuffer value, long timestampNano, int flags) {
            int n = kvSize(key.remaining(), value.remaining(), timestampNano, flags);
            if (n > 0) {
                size += 1 + varintSize(n) + n;
            }
        }
    }

    private final class WritingSink implements DbiSource.EntrySink {
        @Override
        public void entry(ByteBuffer key, ByteBuffer value, long timestampNano, int flags) throws IOException {
            int keyLength = key.remaining();
            int valueLength = value.remaining();
            int n = kvSize(keyLength, valueLength, timestampNano, flags);
            if (n == 0) {
                return;
            }
            if (BUFFER - pos < 2 + 5 + n) {
                flushBuffer();
            }
            if (BUFFER - pos >= 2 + 5 + n) {
                writeEntryInBuffer(key, keyLength, value, valueLength, timestampNano, flags, n);
                return;
            }
            // Larger than the buffer: the slow path, field by field.
            writeTag(2, 2);
            writeVarint(n);
            if (keyLength > 0) {
                writeTag(1, 2);
                writeVarint(keyLength);
                writeBuffer(key);
            }
            if (valueLength > 0) {
                writeTag(2, 2);
                writeVarint(valueLength);
                writeBuffer(value);
            }
            if ((flags & KV_DELETED_FLAG) != 0) {
                writeTag(4, 0);
                writeVarint(KV_DELETED_FLAG);
            }
            if (timestampNano != 0) {
                writeTag(3, 1);
                ensure(8);
                putLittleEndianLong(timestampNano);
            }
        }
    }

    // The common case: the whole entry fits the buffer; no bounds checks per field.
    private void writeEntryInBuffer(ByteBuffer key, int keyLength, ByteBuffer value, int valueLength,
                                    long timestampNano, int flags, int n) {
        byte[] b = buf;
        b[pos++] = (2 << 3) | 2;
        putVarint(n);
        if (keyLength > 0) {
            b[pos++] = (1 << 3) | 2;
            putVarint(keyLength);
            key.get(key.position(), b, pos, keyLength);
            pos += keyLength;
        }
        if (valueLength > 0) {
            b[pos++] = (2 << 3) | 2;
            putVarint(valueLength);
            value.get(value.position(), b, pos, valueLength);
            pos += valueLength;
        }
        if ((flags & KV_DELETED_FLAG) != 0) {
            b[pos++] = (4 << 3);
            b[pos++] = KV_DELETED_FLAG;
        }
        if (timestampNano != 0) {
            b[pos++] = (3 << 3) | 1;
            putLittleEndianLong(timestampNano);
        }
    }

    // ---- meta ----

    static byte[] encodeMeta(SnapshotMeta meta) {
        byte[] generation = meta.generationId().getBytes(StandardCharsets.UTF_8);
        byte[] instance = meta.instanceId().getBytes(StandardCharsets.UTF_8);
        byte[] hostname = meta.hostname().getBytes(StandardCharsets.UTF_8);
        byte[] database = meta.databaseName().getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(64 + generation.length + instance.length
                + hostname.length + database.length);
        putString(b, 1, generation);
        putString(b, 2, instance);
        putString(b, 3, hostname);
        putString(b, 7, database);
        if (meta.lmdbTxnId() > 0) {
            b.write(4 << 3);
            putVarint(b, meta.lmdbTxnId());
        }
        if (meta.timestampNano() != 0) {
            b.write((5 << 3) | 1);
            for (int i = 0; i < 8; i++) {
                b.write((int) (meta.timestampNano() >>> (8 * i)));
            }
        }
        if (meta.fromLmdbTxnId() > 0) {
            b.write(8 << 3);
            putVarint(b, meta.fromLmdbTxnId());
        }
        return b.toByteArray();
    }

    private static void putString(java.io.ByteArrayOutputStream b, int field, byte[] s) {
        if (s.length > 0) {
            b.write((field << 3) | 2);
            putVarint(b, s.length);
            b.write(s, 0, s.length);
        }
    }

    private static void putVarint(java.io.ByteArrayOutputStream b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b.write((int) v);
    }

    // ---- low-level output ----

    private void writeTag(int field, int wireType) throws IOException {
        ensure(5);
        putVarint((long) field << 3 | wireType);
    }

    private void writeVarint(long v) throws IOException {
        ensure(10);
        putVarint(v);
    }

    private void putVarint(long v) {
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7fL) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    private void putLittleEndianLong(long v) {
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < 8; i++) {
            b[p + i] = (byte) (v >>> (8 * i));
        }
        pos = p + 8;
    }

    private void writeBytes(byte[] src, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == BUFFER) {
                flushBuffer();
            }
            int n = Math.min(len, BUFFER - pos);
            System.arraycopy(src, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    private void writeBuffer(ByteBuffer src) throws IOException {
        int p = src.position();
        int len = src.remaining();
        while (len > 0) {
            if (pos == BUFFER) {
                flushBuffer();
            }
            int n = Math.min(len, BUFFER - pos);
            src.get(p, buf, pos, n);
            pos += n;
            p += n;
            len -= n;
        }
    }

    private void ensure(int n) throws IOException {
        if (BUFFER - pos < n) {
            flushBuffer();
        }
    }

    private void flushBuffer() throws IOException {
        if (pos > 0) {
            out.write(buf, 0, pos);
            flushed += pos;
            pos = 0;
        }
    }
}
