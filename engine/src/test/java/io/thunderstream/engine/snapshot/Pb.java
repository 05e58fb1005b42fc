package io.thunderstream.engine.snapshot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-built protobuf for tests. */
final class Pb {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pb varint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Pb tag(int field, int wireType) {
        return varint((long) field << 3 | wireType);
    }

    Pb uint(int field, long v) {
        return tag(field, 0).varint(v);
    }

    Pb fixed64(int field, long v) {
        tag(field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    Pb bytes(int field, byte[] b) {
        tag(field, 2).varint(b.length);
        out.writeBytes(b);
        return this;
    }

    Pb string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Pb message(int field, Pb m) {
        return bytes(field, m.toByteArray());
    }

    Pb raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
