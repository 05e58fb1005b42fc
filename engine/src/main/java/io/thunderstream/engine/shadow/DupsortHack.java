package io.thunderstream.engine.shadow;

import io.thunderstream.engine.lmdb.ValueHeader;
import java.nio.ByteBuffer;

/**
 * The {@code dupsort_hack_v1} encoding, which lets shadow mode track a DUPSORT DBI (many values
 * per key) in a plain shadow DBI (one value per key) by making the value part of the key:
 *
 * <pre>
 * key + 00 00 00 00 + value (cut so that the whole is at most 511 bytes) + one byte len(key)
 * </pre>
 *
 * The shadow's value is the whole application value. Four zero bytes as separator keep LMDB's
 * order of (key, value) pairs for keys without zero runs; the encoder checks that every encoded
 * key is bigger than the one before, which catches both the keys where that fails and values
 * that share their first ~500 bytes (they would collide after the cut).
 */
public final class DupsortHack {

    /** The snapshot DBI {@code transform} of DBIs encoded this way. */
    public static final String TRANSFORM = "dupsort_hack_v1";
    /** Longest key the encoding takes: its length must fit in the last byte. */
    public static final int MAX_KEY_SIZE = 255;
    /** Longest encoded key: LMDB's default maximum key size. */
    public static final int MAX_ENCODED_SIZE = 511;
    private static final int SEPARATOR_SIZE = 4;

    private DupsortHack() {
    }

    /**
     * Encodes ({@code key}, {@code value}) into {@code dst} (cleared, then flipped for reading).
     * Neither input is modified.
     *
     * @param where "lmdb X DBI Y", for the error message
     */
    public static ByteBuffer encode(ByteBuffer key, ByteBuffer value, ByteBuffer dst, String where) {
        int keySize = key.remaining();
        if (keySize == 0) {
            throw new DupsortHackException(where + ": empty key; dupsort_hack cannot encode it");
        }
        if (keySize > MAX_KEY_SIZE) {
            throw new DupsortHackException(where + ", key " + ValueHeader.describeKey(key) + ": key of " + keySize
                    + " bytes; dupsort_hack takes keys of at most " + MAX_KEY_SIZE + " bytes");
        }
        int room = MAX_ENCODED_SIZE - keySize - SEPARATOR_SIZE - 1;
        ByteBuffer valuePart = value.duplicate();
        valuePart.limit(valuePart.position() + Math.min(room, valuePart.remaining()));
        dst.clear();
        dst.put(key.duplicate()).putInt(0).put(valuePart).put((byte) keySize);
        return dst.flip();
    }

    /**
     * The length of the original key at the start of {@code encoded}, checked to be a
     * {@code dupsort_hack_v1} key.
     */
    public static int keyLength(ByteBuffer encoded, String where) {
        int p = encoded.position();
        int size = encoded.remaining();
        // at least one key byte, the separator and the length byte
        if (size < 1 + SEPARATOR_SIZE + 1) {
            throw invalid(encoded, where, "too short");
        }
        int keySize = encoded.get(p + size - 1) & 0xff;
        if (keySize == 0) {
            throw invalid(encoded, where, "key length 0");
        }
        if (size < keySize + SEPARATOR_SIZE + 1) {
            throw invalid(encoded, where, "key length " + keySize + " does not fit");
        }
        if (encoded.getInt(p + keySize) != 0) {
            throw invalid(encoded, where, "no separator after the key");
        }
        return keySize;
    }

    private static DupsortHackException invalid(ByteBuffer encoded, String where, String why) {
        return new DupsortHackException(where + ", key " + ValueHeader.describeKey(encoded)
                + ": not a dupsort_hack_v1 key (" + why + ")");
    }
}
