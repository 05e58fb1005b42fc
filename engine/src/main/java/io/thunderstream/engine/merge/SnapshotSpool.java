package io.thunderstream.engine.merge;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the decompressed protobuf of a snapshot that {@link SnapshotCheck} read, until the merge
 * has read it: in memory up to a limit, beyond it in a temp file. Inflating costs several times
 * what the merge itself does (190 MB take about 1 s to inflate here, the steady-state merge of
 * the same snapshot 0.2 s), so a snapshot is inflated once, by the check, not again by the merge.
 *
 * <p>Closing it frees the memory (the {@code memoryFreed} action, once) and deletes the file.
 */
public final class SnapshotSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSpool.class);

    /** Memory in chunks of this size: below G1's humongous-object size even in a small heap. */
    private static final int CHUNK = 256 * 1024;

    private final String tempPrefix;
    private final long memoryLimit;
    private final Runnable memoryFreed;
    private final AtomicBoolean memoryReleased = new AtomicBoolean();
    private final List<byte[]> chunks = new ArrayList<>();
    private int lastChunkUsed = CHUNK;
    private long size;
    private Path file;
    private OutputStream fileOut;

    /**
     * @param tempPrefix  names the temp file, e.g. {@code thunderstream-main-}
     * @param memoryLimit the most kept in memory; a larger snapshot goes wholly to a temp file
     * @param memoryFreed run once when the memory is no longer needed (spilled or closed)
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

    void write(byte[] b, int off, int len) throws IOException {
        if (fileOut == null && size + len > memoryLimit) {
            spill();
        }
        size += len;
        if (fileOut != null) {
            fileOut.write(b, off, len);
            return;
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

    private void spill() throws IOException {
        file = Files.createTempFile(tempPrefix, ".pb");
        fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        for (int i = 0; i < chunks.size(); i++) {
            fileOut.write(chunks.get(i), 0, i == chunks.size() - 1 ? lastChunkUsed : CHUNK);
        }
        chunks.clear();
        releaseMemory();
    }

    /** Ends writing; from here on {@link #open} reads what was written. */
    void finish() throws IOException {
        if (fileOut != null) {
            fileOut.close();
        }
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
    InputStream open() throws IOException {
        if (file != null) {
            return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
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
        try {
            if (fileOut != null) {
                fileOut.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("could not remove the temp file {}: {}", file, e.getMessage());
        }
    }
}
