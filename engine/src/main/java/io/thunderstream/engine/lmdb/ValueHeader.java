package io.thunderstream.engine.lmdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header that starts every value of a native-mode (schema_tracks_changes) LMDB.
 *
 * <pre>
 * offset size field
 *  0     8    timestamp, ns since the UNIX epoch (big-endian)
 *  8     8    LMDB txn id of the last change (big-endian, local meaning only)
 *  16    1    header version, must be 0
 *  17    1    flags, 0x01 = deleted
 *  18    4    reserved, written 0, ignored
 *  22    2    N = number of 8-byte extension blocks (big-endian)
 *  24    8*N  extension blocks, skipped
 * </pre>
 *
 * Static methods only, on {@link ByteBuffer} (absolute reads from the buffer's position,
 * its byte order does not matter) or {@code byte[]}; nothing allocates unless a value is bad,
 * because the merge calls these for every entry.
 */
public final class ValueHeader {
    /** Size of a header without extension blocks; the size this class writes. */
    public static final int SIZE = 24;
    /** Size of one extension block. */
    public static final int EXTENSION_BLOCK_SIZE = 8;
    /** Flag: the entry is deleted (a tombstone). */
    public static final int FLAG_DELETED = 0x01;
    /** The flags that are synced through snapshots; others are local and dropped. */
    public static final int SYNC_FLAGS_MASK = FLAG_DELETED;

    private static final int TXN_ID_OFFSET = 8;
    private static final int RESERVED_OFFSET = 18;
    /** 2015-01-01 and 2100-01-01 in ns: the timestamps an application's headers can carry. */
    private static final long EARLIEST_WRITTEN = 1_420_070_400_000_000_000L;
    private static final long LATEST_WRITTEN = 4_102_444_800_000_000_000L;
    private static final int VERSION_OFFSET = 16;
    private static final int FLAGS_OFFSET = 17;
    private static final int NUM_EXTENSIONS_OFFSET = 22;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private ValueHeader() {
    }

    /**
     * Checks the header at the start of {@code value} (from its position to its limit) and
     * returns the header length, 24 + 8N: the application value starts that many bytes after
     * the position.
     *
     * @param dbi name of the DBI, for the error message
     * @param key the entry's key (position to limit), for the error message; not modified
     * @throws ValueHeaderException if the value is too short or the header version is not 0
     */
    public static int length(ByteBuffer value, String dbi, ByteBuffer key) {
        int p = value.position();
        int size = value.limit() - p;
        if (size < SIZE) {
            throw tooShort(dbi, key, size, SIZE);
        }
        int version = value.get(p + VERSION_OFFSET) & 0xff;
        if (version != 0) {
            throw new ValueHeaderException(dbi, describeKey(key), "header version " + version + " is not 0 (not a Lightning Stream header)");
        }
        int blocks = ((value.get(p + NUM_EXTENSIONS_OFFSET) & 0xff) << 8) | (value.get(p + NUM_EXTENSIONS_OFFSET + 1) & 0xff);
        int length = SIZE + blocks * EXTENSION_BLOCK_SIZE;
        if (size < length) {
            throw tooShort(dbi, key, size, length);
        }
        return length;
    }

    /** {@link #length(ByteBuffer, String, ByteBuffer)} on {@code value[offset, offset+size)}. */
    public static int length(byte[] value, int offset, int size, String dbi, byte[] key) {
        if (size < SIZE) {
            throw tooShort(dbi, ByteBuffer.wrap(key), size, SIZE);
        }
        int version = value[offset + VERSION_OFFSET] & 0xff;
        if (version != 0) {
            throw new ValueHeaderException(dbi, describeKey(ByteBuffer.wrap(key)), "header version " + version + " is not 0 (not a Lightning Stream header)");
        }
        int blocks = ((value[offset + NUM_EXTENSIONS_OFFSET] & 0xff) << 8) | (value[offset + NUM_EXTENSIONS_OFFSET + 1] & 0xff);
        int length = SIZE + blocks * EXTENSION_BLOCK_SIZE;
        if (size < length) {
            throw tooShort(dbi, ByteBuffer.wrap(key), size, length);
        }
        return length;
    }

    /**
     * Whether {@code value} starts with a header as an application that writes them would write
     * it: version 0, no flag but deleted, the reserved bytes 0, its extension blocks within the
     * value, a timestamp of this century's, and a txn id from 1 to {@code maxTxnId}. Plain
     * application data rarely passes all of that by chance.
     */
    public static boolean looksWritten(ByteBuffer value, long maxTxnId) {
        int p = value.position();
        int size = value.limit() - p;
        if (size < SIZE || value.get(p + VERSION_OFFSET) != 0 || (value.get(p + FLAGS_OFFSET) & ~FLAG_DELETED) != 0
                || value.getInt(p + RESERVED_OFFSET) != 0) {
            return false;
        }
        int blocks = ((value.get(p + NUM_EXTENSIONS_OFFSET) & 0xff) << 8) | (value.get(p + NUM_EXTENSIONS_OFFSET + 1) & 0xff);
        long ts = bigEndianLong(value, p);
        long txnId = bigEndianLong(value, p + TXN_ID_OFFSET);
        return SIZE + blocks * EXTENSION_BLOCK_SIZE <= size && ts >= EARLIEST_WRITTEN && ts < LATEST_WRITTEN
                && txnId >= 1 && txnId <= maxTxnId;
    }

    /** Timestamp (ns since the epoch) of a value checked with {@code length}. */
    public static long timestampNano(ByteBuffer value) {
        return bigEndianLong(value, value.position());
    }

    /** LMDB txn id of the last change of a checked value. */
    public static long txnId(ByteBuffer value) {
        return bigEndianLong(value, value.position() + TXN_ID_OFFSET);
    }

    /** All header flags of a checked value, unknown ones included. */
    public static int flags(ByteBuffer value) {
        return value.get(value.position() + FLAGS_OFFSET) & 0xff;
    }

    public static boolean isDeleted(ByteBuffer value) {
        return (flags(value) & FLAG_DELETED) != 0;
    }

    public static long timestampNano(byte[] value, int offset) {
        return (long) LONG_BE.get(value, offset);
    }

    public static long txnId(byte[] value, int offset) {
        return (long) LONG_BE.get(value, offset + TXN_ID_OFFSET);
    }

    public static int flags(byte[] value, int offset) {
        return value[offset + FLAGS_OFFSET] & 0xff;
    }

    /**
     * Writes a 24-byte header (version 0, reserved zero, no extension blocks) at the buffer's
     * position and advances it by 24.
     */
    public static void write(ByteBuffer dst, long timestampNano, long txnId, int flags) {
        int p = dst.position();
        putBigEndianLong(dst, p, timestampNano);
        putBigEndianLong(dst, p + TXN_ID_OFFSET, txnId);
        // version 0, flags, 4 reserved bytes, 2 bytes extension count: one long, big-endian
        putBigEndianLong(dst, p + VERSION_OFFSET, (long) (flags & 0xff) << 48);
        dst.position(p + SIZE);
    }

    /** Writes a 24-byte header at {@code dst[offset]}. */
    public static void write(byte[] dst, int offset, long timestampNano, long txnId, int flags) {
        LONG_BE.set(dst, offset, timestampNano);
        LONG_BE.set(dst, offset + TXN_ID_OFFSET, txnId);
        LONG_BE.set(dst, offset + VERSION_OFFSET, (long) (flags & 0xff) << 48);
    }

    /** A key for messages: as text if it is printable ASCII, else as hex. */
    public static String describeKey(ByteBuffer key) {
        if (key == null) {
            return "?";
        }
        int p = key.position();
        int n = key.limit() - p;
        boolean printable = n > 0;
        for (int i = 0; i < n && printable; i++) {
            int b = key.get(p + i) & 0xff;
            printable = b >= 0x20 && b < 0x7f;
        }
        StringBuilder sb = new StringBuilder(n * 2 + 2);
        if (printable) {
            sb.append('"');
            for (int i = 0; i < n; i++) {
                sb.append((char) key.get(p + i));
            }
            return sb.append('"').toString();
        }
        sb.append("0x");
        for (int i = 0; i < n; i++) {
            int b = key.get(p + i) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static ValueHeaderException tooShort(String dbi, ByteBuffer key, int size, int needed) {
        return new ValueHeaderException(dbi, describeKey(key), "value of " + size + " bytes is shorter than its header (" + needed + " bytes)");
    }

    private static long bigEndianLong(ByteBuffer b, int index) {
        long v = b.getLong(index);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    private static void putBigEndianLong(ByteBuffer b, int index, long v) {
        b.putLong(index, b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v));
    }
}
