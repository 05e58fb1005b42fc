package io.thunderstream.engine.snapshot;

import io.thunderstream.api.InputStreams;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses gzip (RFC 1952), any number of concatenated members, checking every member's
 * CRC-32 and length. Unlike {@link java.util.zip.GZIPInputStream} it does not decide whether
 * another member follows from {@code available()} (which silently truncates multi-member
 * streams on slow sources) and it does not ignore trailing garbage: bytes after a member that
 * are not a gzip header are an error, as in Go's reader that Lightning Stream uses.
 * Errors are {@link SnapshotCorruptException}s naming the compressed byte offset.
 */
public final class GunzipInputStream extends InputStream {
    private static final int FTEXT_FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;

    private final InputStream in;
    private final byte[] inBuf = new byte[128 * 1024];
    private int inPos;
    private int inLim;
    private long inBase; // compressed offset of inBuf[0]
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberOut;
    private int members;
    private boolean inMember;
    private boolean done;
    private boolean closed;

    public GunzipInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        return InputStreams.readByte(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (done) {
                return -1;
            }
            if (!inMember) {
                if (members > 0 && inPos == inLim && fillIn() < 0) {
                    done = true;
                    return -1;
                }
                readHeader();
                inflater.reset();
                crc.reset();
                memberOut = 0;
                inMember = true;
                inflater.setInput(inBuf, inPos, inLim - inPos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw corrupt("invalid deflate data (" + e.getMessage() + ") in member #" + members, inBase + inLim - inflater.getRemaining());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                return n;
            }
            if (inflater.finished()) {
                inPos = inLim - inflater.getRemaining();
                readTrailer();
                inMember = false;
                members++;
            } else if (inflater.needsDictionary()) {
                throw corrupt("deflate data needs a preset dictionary in member #" + members, offset());
            } else if (inflater.needsInput()) {
                inPos = inLim;
                if (fillIn() < 0) {
                    throw corrupt("stream ends inside compressed data of member #" + members, offset());
                }
                inflater.setInput(inBuf, inPos, inLim - inPos);
            }
        }
    }

    private void readHeader() throws IOException {
        long start = offset();
        int id1 = readByte("header");
        int id2 = readByte("header");
        if (id1 != 0x1f || id2 != 0x8b) {
            throw corrupt(members == 0 ? "not gzip data (magic " + hex(id1) + " " + hex(id2) + ")"
                    : "bytes after gzip member #" + (members - 1) + " are not a gzip header", start);
        }
        int method = readByte("header");
        if (method != 8) {
            throw corrupt("unsupported compression method " + method, start);
        }
        int flags = readByte("header");
        if ((flags & 0xe0) != 0) {
            throw corrupt("reserved header flags set (" + hex(flags) + ")", start);
        }
        skipBytes(6, "header"); // MTIME, XFL, OS
        if ((flags & FEXTRA) != 0) {
            int xlen = readByte("header") | readByte("header") << 8;
            skipBytes(xlen, "header extra field");
        }
        if ((flags & FNAME) != 0) {
            while (readByte("header file name") != 0) {
                // skip
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (readByte("header comment") != 0) {
                // skip
            }
        }
        if ((flags & FTEXT_FHCRC) != 0) {
            skipBytes(2, "header CRC");
        }
    }

    private void readTrailer() throws IOException {
        long start = offset();
        long crcValue = readLittleEndianInt("trailer");
        long size = readLittleEndianInt("trailer");
        if (crcValue != crc.getValue()) {
            throw corrupt("CRC-32 mismatch in member #" + members, start);
        }
        if (size != (memberOut & 0xffffffffL)) {
            throw corrupt("length mismatch in member #" + members + " (trailer says " + size + ", data has " + memberOut + ")", start);
        }
    }

    private long readLittleEndianInt(String what) throws IOException {
        return readByte(what) | readByte(what) << 8 | readByte(what) << 16 | (long) readByte(what) << 24;
    }

    private int readByte(String what) throws IOException {
        if (inPos == inLim && fillIn() < 0) {
            throw corrupt(members == 0 && offset() == 0 ? "empty input, not gzip data" : "stream ends inside gzip " + what, offset());
        }
        return inBuf[inPos++] & 0xff;
    }

    private void skipBytes(int n, String what) throws IOException {
        for (int i = 0; i < n; i++) {
            readByte(what);
        }
    }

    private int fillIn() throws IOException {
        inBase += inLim;
        inPos = 0;
        inLim = 0;
        int n;
        do {
            n = in.read(inBuf, 0, inBuf.length);
        } while (n == 0);
        if (n > 0) {
            inLim = n;
        }
        return n;
    }

    /** Members read completely so far. */
    public int members() {
        return members;
    }

    private long offset() {
        return inBase + inPos;
    }

    private static String hex(int b) {
        return String.format("%02x", b);
    }

    private static SnapshotCorruptException corrupt(String problem, long offset) {
        return new SnapshotCorruptException("gzip: " + problem + " at compressed byte offset " + offset);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            in.close();
        }
    }
}
