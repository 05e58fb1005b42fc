package io.thunderstream.engine.merge;

import io.thunderstream.api.FileErrors;
import io.thunderstream.api.InputStreams;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds the bytes of a snapshot between the steps of receiving it: a download until it is checked,
 * and the decompressed protobuf that {@link SnapshotCheck} read until the merge has read it.
 * Inflating costs several times what the merge itself does (190 MB take about 1 s to inflate
 * here, the steady-state merge of the same snapshot 0.2 s), so a snapshot is inflated once, by
 * the check, not again by the merge.
 *
 * <p>The bytes are kept in memory up to a limit; beyond it they go to a temp file (owner-only),
 * which is unlinked as soon as it is open, so that nothing is left behind, not even by a process
 * killed with {@code kill -9}. Closing the spool frees the memory (the {@code memoryFreed}
 * action, run once, also at the move to a file) and the file's space.
 */
public final class SnapshotSpool implements AutoCloseable {

    /** Memory in chunks of this size: below G1's humongous-object size even in a small heap. */
    private static final int CHUNK = 256 * 1024;

    private final String tempPrefix;
    private final long memoryLimit;
    private final Runnable memoryFreed;
    private final AtomicBoolean memoryReleased = new AtomicBoolean();
    private final List<byte[]> chunks = new ArrayList<>();
    private int lastChunkUsed = CHUNK;
    private long size;
    private FileChannel file;
    private OutputStream fileOut;

    /**
     * @param tempPrefix  names the temp file, e.g. {@code thunderstream-main-}
     * @param memoryLimit the most kept in memory; larger contents go wholly to a temp file
     * @param memoryFreed run once when the memory is no longer needed (moved to a file, or closed)
     */
    public SnapshotSpool(String tempPrefix, long memoryLimit, Runnable memoryFreed) {
        this.tempPrefix = tempPrefix;
        this.memoryLimit = memoryLimit;
        this.memoryFreed = memoryFreed;
    }

    /** A spool that always writes a temp file. */
    public static SnapshotSpool tempFile(String tempPrefix) {
        return new SnapshotSpool(tempPrefix, 0, () -> { });
    }

    /** Reads {@code in} to its end into the spool. */
    public void transferFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            write(buffer, 0, n);
        }
        finish();
    }

    /** The spooled bytes as a snapshot source: a {@code .pb.gz} download. */
    public SnapshotSource compressedSource(String name) {
        return SnapshotSource.of(name, this::open);
    }

    /** A stream over {@code in} that also writes into the spool what is read; {@link #finish} ends it. */
    InputStream recording(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                return InputStreams.readByte(this);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    write(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                return Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    private void write(byte[] b, int off, int len) throws IOException {
        try {
            if (fileOut == null && size + len > memoryLimit) {
                moveToFile();
            }
            size += len;
            if (fileOut != null) {
                fileOut.write(b, off, len);
                return;
            }
        } catch (IOException e) {
            throw tempFileError(e);
        }
        while (len > 0) {
            if (lastChunkUsed == CHUNK) {
                chunks.add(new byte[CHUNK]);
                lastChunkUsed = 0;
            }
            int n = Math.min(len, CHUNK - lastChunkUsed);
            System.arraycopy(b, off, chunks.get(chunks.size() - 1), lastChunkUsed, n);
            lastChunkUsed += n;
            off += n;
            len -= n;
        }
    }

    private void moveToFile() throws IOException {
        Path path = Files.createTempFile(tempPrefix, ".tmp");
        try {
            file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.delete(path);
        }
        fileOut = new BufferedOutputStream(Channels.newOutputStream(file), 1 << 16);
        for (int i = 0; i < chunks.size(); i++) {
            fileOut.write(chunks.get(i), 0, i == chunks.size() - 1 ? lastChunkUsed : CHUNK);
        }
        chunks.clear();
        releaseMemory();
    }

    /** Ends writing; from here on {@link #open} reads what was written. */
    void finish() throws IOException {
        try {
            if (fileOut != null) {
                fileOut.flush();
            }
        } catch (IOException e) {
            throw tempFileError(e);
        }
    }

    /** Names the directory: the file has no name once unlinked, and a missing directory is only a path. */
    private static IOException tempFileError(IOException e) {
        return new IOException("temp file in java.io.tmpdir " + System.getProperty("java.io.tmpdir")
                + " (for a snapshot beyond its share of memory): " + FileErrors.describe(e), e);
    }

    /** The bytes written. */
    public long size() {
        return size;
    }

    /** Whether the bytes are in memory rather than in a temp file. */
    public boolean inMemory() {
        return file == null;
    }

    /** A fresh stream over the bytes written. */
    InputStream open() {
        if (file != null) {
            return new BufferedInputStream(new FileRegionInputStream(file, size), 1 << 16);
        }
        List<InputStream> parts = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            parts.add(new ByteArrayInputStream(chunks.get(i), 0, i == chunks.size() - 1 ? lastChunkUsed : CHUNK));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    private void releaseMemory() {
        if (memoryReleased.compareAndSet(false, true)) {
            memoryFreed.run();
        }
    }

    @Override
    public void close() {
        chunks.clear();
        releaseMemory();
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // The file is unlinked: its space is freed with the descriptor, which is gone either way.
            }
        }
    }

    /** Reads a file from its start to {@code end} with positional reads: each stream on its own. */
    private static final class FileRegionInputStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private long position;

        FileRegionInputStream(FileChannel channel, long end) {
            this.channel = channel;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            return InputStreams.readByte(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }
    }
}
