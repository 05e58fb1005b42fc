package io.thunderstream.api;

import java.io.IOException;
import java.io.InputStream;

/** For streams that implement only the array read: the single-byte read goes through it. */
public final class InputStreams {

    private InputStreams() {
    }

    /** The next byte of {@code in} (0-255) read with {@code in.read(byte[], int, int)}, or -1 at its end. */
    public static int readByte(InputStream in) throws IOException {
        byte[] one = new byte[1];
        return in.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
}
