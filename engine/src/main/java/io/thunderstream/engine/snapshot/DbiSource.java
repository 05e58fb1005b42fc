package io.thunderstream.engine.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One DBI to be written by {@link SnapshotWriter}. The writer must put the DBI's length before
 * its bytes without buffering it, so it calls {@link #forEachEntry} twice: a sizing pass and a
 * writing pass. Both passes must yield exactly the same entries (an LMDB read transaction gives
 * that for free: iterate one cursor twice in the same transaction).
 */
public interface DbiSource {
    /** DBI name. */
    String name();

    /** LMDB flags of the application's DBI ({@link io.thunderstream.engine.lmdb.DbiFlags}). */
    long flags();

    /** {@code ""} or {@code dupsort_hack_v1}. */
    String transform();

    /** Calls {@code sink} for every entry, in LMDB key order. Called twice, see above. */
    void forEachEntry(EntrySink sink) throws IOException;

    /** Receives entries; key and value are read from position to limit and not modified. */
    @FunctionalInterface
    interface EntrySink {
        /**
         * @param value application value (LMDB header stripped)
         * @param flags header flags; only the deleted flag (0x01) is written
         */
        void entry(ByteBuffer key, ByteBuffer value, long timestampNano, int flags) throws IOException;
    }
}
