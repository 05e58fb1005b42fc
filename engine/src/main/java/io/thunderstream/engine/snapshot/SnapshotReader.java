package io.thunderstream.engine.snapshot;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Streaming pull decoder of a snapshot: the protobuf {@code Snapshot} message of
 * {@code lightningstream-snapshot.proto}, read straight off a stream one entry at a time.
 * Memory use does not grow with the number of entries: it is one read buffer, grown only to
 * hold the largest single entry (and never beyond twice the bytes actually received, so a
 * hostile length prefix cannot make it allocate).
 *
 * <pre>{@code
 * try (SnapshotReader r = SnapshotReader.openGzip(in)) {
 *     for (SnapshotReader.Event e; (e = r.next()) != SnapshotReader.Event.END; ) {
 *         switch (e) {
 *             case META -> r.meta();
 *             case DBI_START -> r.dbiName();
 *             case ENTRY -> r.key(); r.value(); r.timestampNano(); r.entryFlags();
 *             case DBI_END -> r.dbiFlags(); r.dbiTransform(); // final values
 *         }
 *     }
 * }
 * }</pre>
 *
 * <h2>Field order</h2>
 * Lightning Stream writes {@code formatVersion}, {@code compatVersion}, {@code meta}, then the
 * DBIs, and in each DBI {@code name}, {@code flags}, {@code transform} before the entries. A
 * protobuf library (and {@code protoc --encode}) writes fields in field-number order instead:
 * {@code compatVersion} after the DBIs and a DBI's {@code flags} and {@code transform} after its
 * entries. This reader accepts any order and reports values as they arrive:
 * <ul>
 * <li>{@link Event#META} is returned where the meta field is on the wire (before the DBIs in
 *     every known writer); {@link #meta()} is {@link SnapshotMeta#EMPTY} until then.</li>
 * <li>{@link Event#DBI_START} comes just before the DBI's first entry (or at its end if it has
 *     none), with the DBI fields read so far; {@link Event#DBI_END} comes with the final values.
 *     A consumer that needs flags or transform before the entries must check them again at
 *     {@code DBI_END}.</li>
 * <li>{@code compatVersion > 3} is refused as soon as it is read; {@code formatVersion 0}
 *     (absent) is refused at the end.</li>
 * </ul>
 * So a consumer must not act on anything (commit a merge) before {@link Event#END}: corruption,
 * truncation and a late version field are only seen there. Reading is raw: format-1 semantics
 * (an empty value means deleted) are left to the consumer, see {@link #formatVersion()}.
 *
 * <p>Not thread-safe. Errors are {@link SnapshotCorruptException} or
 * {@link SnapshotIncompatibleException}, naming the field, DBI, entry and the byte offset in the
 * uncompressed stream.
 */
public final class SnapshotReader implements Closeable {

    /** What {@link #next()} found. */
    public enum Event { META, DBI_START, ENTRY, DBI_END, END }

    /** Highest {@code compatVersion} this reader supports (the format version it implements). */
    public static final int MAX_COMPAT_VERSION = 3;

    // Single entries and meta are decoded from one contiguous array.
    private static final int MAX_MESSAGE = Integer.MAX_VALUE - 64;
    private static final int INITIAL_BUFFER = 256 * 1024;

    private static final int WT_VARINT = 0;
    private static final int WT_FIXED64 = 1;
    private static final int WT_LEN = 2;
    private static final int WT_FIXED32 = 5;

    private final InputStream in;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int pos;
    private int lim;
    private long bufStart; // stream offset of buf[0]
    private ByteBuffer keyView = ByteBuffer.wrap(buf);
    private ByteBuffer valueView = ByteBuffer.wrap(buf);

    private long formatVersion;
    private long compatVersion;
    private SnapshotMeta meta = SnapshotMeta.EMPTY;
    private boolean ended;

    private boolean inDbi;
    private boolean dbiStarted;
    private boolean entryPending;
    private long dbiEnd;
    private int dbiCount;
    private String dbiName = "";
    private long dbiFlags;
    private String dbiTransform = "";
    private long entryIndex = -1;
    private long entryStart; // stream offset of the current entry's field tag
    private boolean resumed; // reads one DBI's rest only (resume)

    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private long timestampNano;
    private int entryFlags;

    /** Reads an uncompressed protobuf stream. */
    public SnapshotReader(InputStream protobuf) {
        this.in = protobuf;
    }

    /** Where an entry begins in the uncompressed stream, and its DBI: a reader can start there ({@link #resume}). */
    public record EntryPosition(String dbiName, long entryIndex, long offset, long dbiEnd, long formatVersion) {
    }

    /**
     * A reader over the rest of one DBI, from the entry at {@code at} to the DBI's end, for
     * reading parts of a snapshot that was checked whole on several threads: it skips the
     * uncompressed stream {@code in} to {@code at.offset()}. Its events are {@link Event#ENTRY}
     * for that entry and the DBI's entries after it, then {@link Event#DBI_END} (with the DBI's
     * name only) and {@link Event#END}; nothing after the DBI is read.
     */
    public static SnapshotReader resume(InputStream in, EntryPosition at) throws IOException {
        skip(in, at.offset(), "entry #" + at.entryIndex() + " of DBI " + at.dbiName());
        SnapshotReader reader = new SnapshotReader(in);
        reader.resumed = true;
        reader.bufStart = at.offset();
        reader.inDbi = true;
        reader.dbiStarted = true;
        reader.dbiCount = 1;
        reader.dbiEnd = at.dbiEnd();
        reader.dbiName = at.dbiName();
        reader.entryIndex = at.entryIndex() - 1;
        reader.formatVersion = at.formatVersion();
        return reader;
    }

    /** Reads a gzip-compressed snapshot (a {@code .pb.gz} file; several members allowed). */
    public static SnapshotReader openGzip(InputStream compressed) {
        return new SnapshotReader(new GunzipInputStream(compressed));
    }

    /** Advances to the next event. After {@link Event#END} it keeps returning {@code END}. */
    public Event next() throws IOException {
        if (entryPending) {
            entryPending = false;
            return Event.ENTRY;
        }
        while (true) {
            if (inDbi) {
                Event e = nextInDbi();
                if (e != null) {
                    return e;
                }
                continue;
            }
            if (ended) {
                return Event.END;
            }
            if (atEof()) {
                ended = true;
                if (formatVersion == 0) {
                    throw new SnapshotIncompatibleException("snapshot has formatVersion 0 (field missing); readable versions are 1 to "
                            + MAX_COMPAT_VERSION + " (" + position() + " bytes read)");
                }
                return Event.END;
            }
            long fieldOffset = position();
            long tag = readVarint("Snapshot field tag", Long.MAX_VALUE);
            int field = checkTag(tag, "Snapshot", fieldOffset);
            int wt = (int) tag & 7;
            switch (field) {
                case 1 -> {
                    expectWireType(wt, WT_VARINT, "Snapshot.formatVersion", fieldOffset);
                    formatVersion = readVarint("Snapshot.formatVersion", Long.MAX_VALUE) & 0xffffffffL;
                }
                case 4 -> {
                    expectWireType(wt, WT_VARINT, "Snapshot.compatVersion", fieldOffset);
                    compatVersion = readVarint("Snapshot.compatVersion", Long.MAX_VALUE) & 0xffffffffL;
                    if (compatVersion > MAX_COMPAT_VERSION) {
                        throw new SnapshotIncompatibleException("snapshot needs a reader of version " + compatVersion
                                + " (compatVersion at byte offset " + fieldOffset + ", formatVersion " + formatVersion
                                + "); this reader supports up to " + MAX_COMPAT_VERSION);
                    }
                }
                case 2 -> {
                    expectWireType(wt, WT_LEN, "Snapshot.meta", fieldOffset);
                    int length = readMessageLength("Snapshot.meta", Long.MAX_VALUE);
                    require(length, "Snapshot.meta");
                    parseMeta(pos + length);
                    return Event.META;
                }
                case 3 -> {
                    expectWireType(wt, WT_LEN, "Snapshot.databases", fieldOffset);
                    long length = readVarint("Snapshot.databases length", Long.MAX_VALUE);
                    if (length < 0 || length > Long.MAX_VALUE / 4) {
                        throw corrupt("DBI #" + dbiCount + " has an impossible length " + Long.toUnsignedString(length), fieldOffset);
                    }
                    inDbi = true;
                    dbiStarted = false;
                    dbiEnd = position() + length;
                    dbiName = "";
                    dbiFlags = 0;
                    dbiTransform = "";
                    entryIndex = -1;
                    dbiCount++;
                }
                default -> skipField(wt, "Snapshot field " + field, Long.MAX_VALUE, fieldOffset);
            }
        }
    }

    // Returns the next event inside the current DBI, or null after a field that made none.
    private Event nextInDbi() throws IOException {
        // Fast path, the common case: an entry (tag 0x12, length of 1 or 2 bytes) wholly in the buffer.
        int p = pos;
        if (dbiStarted && lim - p >= 3 && buf[p] == ((2 << 3) | WT_LEN)) {
            int length = buf[p + 1];
            int start = p + 2;
            if (length < 0) {
                int b2 = buf[p + 2];
                length = b2 < 0 ? -1 : (length & 0x7f) | b2 << 7;
                start = p + 3;
            }
            if (length >= 0 && lim - start >= length && bufStart + start + length <= dbiEnd) {
                pos = start;
                entryStart = bufStart + p;
                entryIndex++;
                parseEntry(start + length);
                return Event.ENTRY;
            }
        }
        long offset = position();
        if (offset == dbiEnd) {
            if (!dbiStarted) {
                dbiStarted = true;
                return Event.DBI_START;
            }
            inDbi = false;
            ended = resumed;
            return Event.DBI_END;
        }
        long tag = readVarint("DBI field tag", dbiEnd);
        int field = checkTag(tag, "DBI", offset);
        int wt = (int) tag & 7;
        switch (field) {
            case 2 -> {
                expectWireType(wt, WT_LEN, "DBI.entries", offset);
                int length = readMessageLength("DBI.entries", dbiEnd);
                require(length, "DBI.entries");
                entryStart = offset;
                entryIndex++;
                parseEntry(pos + length);
                if (!dbiStarted) {
                    dbiStarted = true;
                    entryPending = true;
                    return Event.DBI_START;
                }
                return Event.ENTRY;
            }
            case 1 -> {
                expectWireType(wt, WT_LEN, "DBI.name", offset);
                dbiName = readString("DBI.name", dbiEnd);
            }
            case 3 -> {
                expectWireType(wt, WT_VARINT, "DBI.flags", offset);
                dbiFlags = readVarint("DBI.flags", dbiEnd);
            }
            case 4 -> {
                expectWireType(wt, WT_LEN, "DBI.transform", offset);
                dbiTransform = readString("DBI.transform", dbiEnd);
            }
            default -> skipField(wt, "DBI field " + field, dbiEnd, offset);
        }
        return null;
    }

    private void parseEntry(int end) throws SnapshotCorruptException {
        keyOffset = pos;
        keyLength = 0;
        valueOffset = pos;
        valueLength = 0;
        timestampNano = 0;
        entryFlags = 0;
        byte[] b = buf;
        while (pos < end) {
            int tagStart = pos;
            int tag = b[pos];
            if (tag < 0) { // multi-byte tag: only unknown fields have one
                tag = (int) varintInBuffer(end, "KV field tag");
            } else {
                pos++;
            }
            switch (tag) {
                case (1 << 3) | WT_LEN -> {
                    keyLength = lengthInBuffer(end, "KV.key");
                    keyOffset = pos;
                    pos += keyLength;
                }
                case (2 << 3) | WT_LEN -> {
                    valueLength = lengthInBuffer(end, "KV.value");
                    valueOffset = pos;
                    pos += valueLength;
                }
                case (3 << 3) | WT_FIXED64 -> {
                    if (end - pos < 8) {
                        throw corruptAt("KV.timestampNano runs past the end of its entry", pos);
                    }
                    timestampNano = littleEndianLong(b, pos);
                    pos += 8;
                }
                case (4 << 3) | WT_VARINT -> entryFlags = (int) varintInBuffer(end, "KV.flags");
                default -> {
                    int field = tag >>> 3;
                    int wt = tag & 7;
                    if (field == 0) {
                        throw corruptAt("KV field number 0 (tag " + tag + ")", tagStart);
                    }
                    if (field <= 4) {
                        String[] names = {"", "KV.key", "KV.value", "KV.timestampNano", "KV.flags"};
                        int[] wts = {0, WT_LEN, WT_LEN, WT_FIXED64, WT_VARINT};
                        throw corruptAt(names[field] + " has wire type " + wt + ", expected " + wts[field], tagStart);
                    }
                    skipInBuffer(wt, end, "KV field " + field, tagStart);
                }
            }
        }
        if (pos != end) {
            throw corruptAt("KV fields run past the end of the entry", pos);
        }
        if (keyView.array() != b) {
            keyView = ByteBuffer.wrap(b);
            valueView = ByteBuffer.wrap(b);
        }
    }

    private void parseMeta(int end) throws SnapshotCorruptException {
        String generationId = meta.generationId();
        String instanceId = meta.instanceId();
        String hostname = meta.hostname();
        long lmdbTxnId = meta.lmdbTxnId();
        long ts = meta.timestampNano();
        String databaseName = meta.databaseName();
        long fromLmdbTxnId = meta.fromLmdbTxnId();
        while (pos < end) {
            int tagStart = pos;
            int tag = (int) varintInBuffer(end, "Meta field tag");
            int field = tag >>> 3;
            int wt = tag & 7;
            switch (field) {
                case 1, 2, 3, 7 -> {
                    String name = switch (field) {
                        case 1 -> "Meta.generationID";
                        case 2 -> "Meta.instanceID";
                        case 3 -> "Meta.hostname";
                        default -> "Meta.databaseName";
                    };
                    expectWireTypeInBuffer(wt, WT_LEN, name, tagStart);
                    int n = lengthInBuffer(end, name);
                    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
                    pos += n;
                    switch (field) {
                        case 1 -> generationId = s;
                        case 2 -> instanceId = s;
                        case 3 -> hostname = s;
                        default -> databaseName = s;
                    }
                }
                case 4 -> {
                    expectWireTypeInBuffer(wt, WT_VARINT, "Meta.lmdbTxnID", tagStart);
                    lmdbTxnId = varintInBuffer(end, "Meta.lmdbTxnID");
                }
                case 8 -> {
                    expectWireTypeInBuffer(wt, WT_VARINT, "Meta.fromLmdbTxnID", tagStart);
                    fromLmdbTxnId = varintInBuffer(end, "Meta.fromLmdbTxnID");
                }
                case 5 -> {
                    expectWireTypeInBuffer(wt, WT_FIXED64, "Meta.timestampNano", tagStart);
                    if (end - pos < 8) {
                        throw corruptAt("Meta.timestampNano runs past the end of meta", pos);
                    }
                    ts = littleEndianLong(buf, pos);
                    pos += 8;
                }
                case 0 -> throw corruptAt("Meta field number 0", tagStart);
                default -> skipInBuffer(wt, end, "Meta field " + field, tagStart);
            }
        }
        if (pos != end) {
            throw corruptAt("Meta fields run past the end of meta", pos);
        }
        meta = new SnapshotMeta(generationId, instanceId, hostname, lmdbTxnId, ts, databaseName, fromLmdbTxnId);
    }

    /**
     * Skips to an entry of the current DBI after the current one: the next {@link #next()} returns
     * it, the entries between are not read. Only for a snapshot checked whole, whose positions are
     * known good.
     */
    public void skipTo(EntryPosition at) throws IOException {
        if (!inDbi || entryPending || !at.dbiName().equals(dbiName) || at.entryIndex() <= entryIndex) {
            throw new IllegalStateException("not at an entry of DBI " + at.dbiName() + " before #" + at.entryIndex());
        }
        if (at.offset() <= bufStart + lim) {
            pos = (int) (at.offset() - bufStart);
        } else {
            skip(in, at.offset() - (bufStart + lim), "entry #" + at.entryIndex() + " of DBI " + dbiName);
            bufStart = at.offset();
            pos = 0;
            lim = 0;
        }
        entryIndex = at.entryIndex() - 1;
    }

    /**
     * Skips what is left of the current DBI unread, to its {@link Event#DBI_END}, for a consumer
     * of a snapshot that was checked whole before: fields after the skipped entries (flags,
     * transform in field-number order) are not read either.
     */
    public void skipRestOfDbi() throws IOException {
        if (!inDbi || entryPending) {
            throw new IllegalStateException("not at an entry of a DBI");
        }
        if (dbiEnd <= bufStart + lim) {
            pos = (int) (dbiEnd - bufStart);
            return;
        }
        skip(in, dbiEnd - (bufStart + lim), "the end of DBI " + dbiName);
        bufStart = dbiEnd;
        pos = 0;
        lim = 0;
    }

    private static void skip(InputStream in, long bytes, String to) throws IOException {
        for (long left = bytes; left > 0; ) {
            long n = in.skip(left);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new SnapshotCorruptException("stream ends " + left + " bytes before " + to);
                }
                n = 1;
            }
            left -= n;
        }
    }

    // ---- accessors ----

    /** {@code formatVersion} as read so far (0 until its field is read; final at END). */
    public long formatVersion() {
        return formatVersion;
    }

    /** {@code compatVersion} as read so far (final at END). */
    public long compatVersion() {
        return compatVersion;
    }

    /** The meta read so far ({@link SnapshotMeta#EMPTY} before the meta field). */
    public SnapshotMeta meta() {
        return meta;
    }

    /** Name of the current DBI. */
    public String dbiName() {
        return dbiName;
    }

    /** Flags of the current DBI as read so far; final at {@link Event#DBI_END}. */
    public long dbiFlags() {
        return dbiFlags;
    }

    /** Transform of the current DBI as read so far; final at {@link Event#DBI_END}. */
    public String dbiTransform() {
        return dbiTransform;
    }

    /** Where the current entry begins. */
    public EntryPosition entryPosition() {
        return new EntryPosition(dbiName, entryIndex, entryStart, dbiEnd, formatVersion);
    }

    /** Index of the current entry in its DBI, from 0. */
    public long entryIndex() {
        return entryIndex;
    }

    /**
     * Key of the current entry, from position to limit. The buffer is reused: valid only until
     * the next call of {@link #next()}; read it, do not keep it.
     */
    public ByteBuffer key() {
        return keyView.limit(keyOffset + keyLength).position(keyOffset);
    }

    /** Value of the current entry (the application value, no LMDB header); same rules as {@link #key()}. */
    public ByteBuffer value() {
        return valueView.limit(valueOffset + valueLength).position(valueOffset);
    }

    public int keyLength() {
        return keyLength;
    }

    public int valueLength() {
        return valueLength;
    }

    /** Timestamp of the current entry, ns since the epoch (fixed64: unsigned on the wire). */
    public long timestampNano() {
        return timestampNano;
    }

    /** KV flags of the current entry as on the wire (0x01 = deleted; always 0 in format 1). */
    public int entryFlags() {
        return entryFlags;
    }

    /** Bytes consumed from the (uncompressed) stream. */
    public long position() {
        return bufStart + pos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---- stream and buffer ----

    private boolean atEof() throws IOException {
        if (pos < lim) {
            return false;
        }
        return fill() <= 0;
    }

    // Reads more into the buffer after lim, compacting first if the buffer is full.
    private int fill() throws IOException {
        if (lim == buf.length) {
            compact();
            if (lim == buf.length) {
                grow(buf.length * 2);
            }
        }
        int n;
        try {
            do {
                n = in.read(buf, lim, buf.length - lim);
            } while (n == 0);
        } catch (SnapshotCorruptException e) {
            throw new SnapshotCorruptException(e.getMessage() + " (after " + (bufStart + lim) + " uncompressed bytes)", e);
        }
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    private void compact() {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            bufStart += pos;
            lim -= pos;
            pos = 0;
        }
    }

    private void grow(long wanted) {
        int size = (int) Math.min(wanted, MAX_MESSAGE + 64L);
        byte[] b = new byte[size];
        System.arraycopy(buf, 0, b, 0, lim);
        buf = b;
    }

    // Makes n bytes available from pos on, growing the buffer only as data actually arrives.
    private void require(int n, String what) throws IOException {
        if (lim - pos >= n) {
            return;
        }
        compact();
        while (lim < n) {
            if (lim == buf.length) {
                grow(Math.min((long) n, buf.length * 2L));
            }
            int r = fill();
            if (r < 0) {
                throw corrupt("stream ends inside " + what + " (" + n + " bytes needed, " + lim + " left)" + context(), bufStart + lim);
            }
        }
    }

    private long readVarint(String what, long limit) throws IOException {
        if (lim - pos >= 10 && limit - position() >= 10) {
            return varintInBuffer(lim, what);
        }
        long start = position();
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position() >= limit) {
                throw corrupt(what + ": varint runs past the end of its message" + context(), start);
            }
            if (pos == lim && fill() < 0) {
                throw corrupt("stream ends inside " + what + context(), start);
            }
            int b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw corrupt(what + ": malformed varint (more than 10 bytes)" + context(), start);
    }

    private int readMessageLength(String what, long limit) throws IOException {
        long start = position();
        long n = readVarint(what + " length", limit);
        if (n < 0 || n > MAX_MESSAGE) {
            throw corrupt(what + " length " + Long.toUnsignedString(n) + " is too large" + context(), start);
        }
        if (n > limit - position()) {
            throw corrupt(what + " of " + n + " bytes runs past the end of its DBI (" + (limit - position()) + " bytes left)" + context(), start);
        }
        return (int) n;
    }

    private String readString(String what, long limit) throws IOException {
        int n = readMessageLength(what, limit);
        require(n, what);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    private void skipField(int wt, String what, long limit, long fieldOffset) throws IOException {
        long n;
        switch (wt) {
            case WT_VARINT -> {
                readVarint(what, limit);
                return;
            }
            case WT_FIXED64 -> n = 8;
            case WT_FIXED32 -> n = 4;
            case WT_LEN -> {
                n = readVarint(what + " length", limit);
                if (n < 0) {
                    throw corrupt(what + " has an impossible length " + Long.toUnsignedString(n) + context(), fieldOffset);
                }
            }
            default -> throw corrupt(what + " has unsupported wire type " + wt + context(), fieldOffset);
        }
        if (n > limit - position()) {
            throw corrupt(what + " of " + n + " bytes runs past the end of its message" + context(), fieldOffset);
        }
        while (n > 0) {
            if (pos == lim && fill() < 0) {
                throw corrupt("stream ends inside " + what + context(), fieldOffset);
            }
            int k = (int) Math.min(n, lim - pos);
            pos += k;
            n -= k;
        }
    }

    // ---- decoding inside the buffer (entries and meta are buffered whole) ----

    private long varintInBuffer(int end, String what) throws SnapshotCorruptException {
        byte[] b = buf;
        int p = pos;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) {
                throw corruptAt(what + ": varint runs past the end of its message", pos);
            }
            int x = b[p++];
            result |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                pos = p;
                return result;
            }
        }
        throw corruptAt(what + ": malformed varint (more than 10 bytes)", pos);
    }

    private int lengthInBuffer(int end, String what) throws SnapshotCorruptException {
        int start = pos;
        long n = varintInBuffer(end, what + " length");
        if (n < 0 || n > end - pos) {
            throw corruptAt(what + " of " + Long.toUnsignedString(n) + " bytes runs past the end of its message ("
                    + (end - pos) + " bytes left)", start);
        }
        return (int) n;
    }

    private void skipInBuffer(int wt, int end, String what, int tagStart) throws SnapshotCorruptException {
        switch (wt) {
            case WT_VARINT -> varintInBuffer(end, what);
            case WT_FIXED64, WT_FIXED32 -> {
                int n = wt == WT_FIXED64 ? 8 : 4;
                if (end - pos < n) {
                    throw corruptAt(what + " runs past the end of its message", tagStart);
                }
                pos += n;
            }
            case WT_LEN -> {
                int n = lengthInBuffer(end, what); // advances pos past the length
                pos += n;
            }
            default -> throw corruptAt(what + " has unsupported wire type " + wt, tagStart);
        }
    }

    /** One 8-byte load rather than eight byte loads, which the JIT does not merge. */
    private static final VarHandle LITTLE_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static long littleEndianLong(byte[] b, int p) {
        return (long) LITTLE_ENDIAN_LONG.get(b, p);
    }

    // ---- errors ----

    private int checkTag(long tag, String message, long offset) throws SnapshotCorruptException {
        long field = tag >>> 3;
        if (field == 0 || field > 0x1fffffff) {
            throw corrupt(message + " has an invalid field number " + field + context(), offset);
        }
        return (int) field;
    }

    private void expectWireType(int wt, int expected, String field, long offset) throws SnapshotCorruptException {
        if (wt != expected) {
            throw corrupt(field + " has wire type " + wt + ", expected " + expected + context(), offset);
        }
    }

    private void expectWireTypeInBuffer(int wt, int expected, String field, int at) throws SnapshotCorruptException {
        if (wt != expected) {
            throw corruptAt(field + " has wire type " + wt + ", expected " + expected, at);
        }
    }

    private String context() {
        if (!inDbi) {
            return "";
        }
        return " in DBI #" + (dbiCount - 1) + (dbiName.isEmpty() ? "" : " \"" + dbiName + "\"")
                + (entryIndex >= 0 ? " after entry #" + entryIndex : "");
    }

    private SnapshotCorruptException corruptAt(String problem, int bufferIndex) {
        String where = inDbi
                ? " in DBI #" + (dbiCount - 1) + (dbiName.isEmpty() ? "" : " \"" + dbiName + "\"") + " entry #" + entryIndex
                : "";
        return corrupt(problem + where, bufStart + bufferIndex);
    }

    private static SnapshotCorruptException corrupt(String problem, long offset) {
        return new SnapshotCorruptException("corrupt snapshot: " + problem + " at byte offset " + offset + " (uncompressed)");
    }
}
