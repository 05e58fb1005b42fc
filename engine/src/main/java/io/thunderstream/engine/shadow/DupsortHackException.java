package io.thunderstream.engine.shadow;

/**
 * An entry of a DUPSORT DBI cannot be stored with the {@code dupsort_hack_v1} encoding (empty key,
 * key over 255 bytes, two values that encode to the same key, an encoding out of LMDB's order),
 * or a shadow key is not such an encoding. Nothing was written; the message names the LMDB, DBI
 * and key.
 */
public class DupsortHackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DupsortHackException(String message) {
        super(message);
    }
}
