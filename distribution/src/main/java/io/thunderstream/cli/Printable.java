package io.thunderstream.cli;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Bytes for people: printable ASCII as it is, anything else as {@code 0x}-prefixed hex. */
final class Printable {

    private Printable() {
    }

    static String of(ByteBuffer bytes) {
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        for (byte x : b) {
            if (x < 0x20 || x >= 0x7f) {
                return "0x" + HexFormat.of().formatHex(b);
            }
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
