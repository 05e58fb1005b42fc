package io.thunderstream.engine.snapshot;

/** The fixed 10-byte gzip member header and 8-byte trailer that our writers emit. */
final class GzipHeader {
    static final int HEADER_SIZE = 10;
    static final int TRAILER_SIZE = 8;

    private GzipHeader() {
    }

    /** Writes a header (deflate, no flags, no mtime, OS unknown) at 0; returns its size. */
    static int write(byte[] b) {
        b[0] = 0x1f;
        b[1] = (byte) 0x8b;
        b[2] = 8;
        for (int i = 3; i < 9; i++) {
            b[i] = 0;
        }
        b[9] = (byte) 255;
        return HEADER_SIZE;
    }

    /** Writes CRC-32 and length (mod 2^32), little-endian, at {@code p}; returns the end. */
    static int writeTrailer(byte[] b, int p, long crc, long length) {
        for (int i = 0; i < 4; i++) {
            b[p + i] = (byte) (crc >>> (8 * i));
            b[p + 4 + i] = (byte) (length >>> (8 * i));
        }
        return p + TRAILER_SIZE;
    }
}
