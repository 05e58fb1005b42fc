package io.thunderstream.engine.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Gzip streams for snapshot files. */
public final class Gzip {
    /** Lightning Stream compresses snapshots with level 1 (best speed). */
    public static final int DEFAULT_LEVEL = Deflater.BEST_SPEED;

    private static final int BUFFER = 64 * 1024;

    /**
     * Threads that compress a snapshot: two where there are two cores, so a snapshot takes about
     * half the time of one thread while a core stays free elsewhere (the output is then several
     * gzip members, which every reader accepts, Lightning Stream's included).
     */
    public static final int DEFAULT_THREADS = Math.min(2, Runtime.getRuntime().availableProcessors());

    private Gzip() {
    }

    /** Decompresses any valid gzip stream, multi-member included. */
    public static InputStream decompress(InputStream in) {
        return new GunzipInputStream(in);
    }

    /** Compresses with level 1 on the calling thread, as one gzip member. */
    public static OutputStream compress(OutputStream out) throws IOException {
        return compress(out, DEFAULT_LEVEL, 1);
    }

    /**
     * Compresses with the given deflate level. With {@code threads > 1} the output is made of
     * independent 256 KiB members compressed in parallel ({@link ParallelGzipOutputStream});
     * otherwise it is one member compressed on the calling thread.
     */
    public static OutputStream compress(OutputStream out, int level, int threads) throws IOException {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("gzip level must be 0..9, not " + level);
        }
        if (threads > 1) {
            return new ParallelGzipOutputStream(out, level, threads, ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE);
        }
        return new GZIPOutputStream(out, BUFFER) {
            {
                def.setLevel(level);
            }
        };
    }
}
