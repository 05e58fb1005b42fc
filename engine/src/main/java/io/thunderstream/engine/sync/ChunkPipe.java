package io.thunderstream.engine.sync;

import io.thunderstream.api.InputStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded pipe from a producer thread (the snapshot encoder) to a consumer (the storage
 * upload), holding at most a few chunks. Unlike {@link java.io.PipedInputStream}, a producer
 * failure reaches the consumer as an exception instead of an early end of stream, so a broken
 * snapshot is never stored as if it were whole; and a consumer that stops reading makes the
 * producer fail instead of blocking forever.
 */
final class ChunkPipe {

    private static final int CHUNK = 256 * 1024;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(4);
    private volatile Throwable producerFailure;
    private volatile boolean consumerClosed;

    private final OutputStream out = new OutputStream() {
        private byte[] chunk = new byte[CHUNK];
        private int used;

        @Override
        public void write(int b) throws IOException {
            if (used == chunk.length) {
                flushChunk();
            }
            chunk[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == chunk.length) {
                    flushChunk();
                }
                int n = Math.min(len, chunk.length - used);
                System.arraycopy(b, off, chunk, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void flushChunk() throws IOException {
            if (used > 0) {
                put(used == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, used));
                chunk = new byte[CHUNK];
                used = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flushChunk();
            put(END);
        }
    };

    private final InputStream in = new InputStream() {
        private byte[] chunk;
        private int read;

        @Override
        public int read() throws IOException {
            return InputStreams.readByte(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (chunk == null || read == chunk.length) {
                if (chunk == END) {
                    return -1;
                }
                chunk = take();
                read = 0;
            }
            int n = Math.min(len, chunk.length - read);
            System.arraycopy(chunk, read, b, off, n);
            read += n;
            return n;
        }

        @Override
        public void close() {
            consumerClosed = true;
            chunks.clear();
        }
    };

    /** The producer's end: close it when done, or call {@link #fail} instead. */
    OutputStream output() {
        return out;
    }

    /** The consumer's end. */
    InputStream input() {
        return in;
    }

    /** Ends the stream with an error that the consumer's next read throws. */
    void fail(Throwable cause) {
        producerFailure = cause;
        chunks.clear();
        chunks.offer(END);
    }

    private void put(byte[] chunk) throws IOException {
        if (producerFailure != null) {
            throw new IOException("the snapshot pipe failed already", producerFailure);
        }
        try {
            while (!chunks.offer(chunk, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (consumerClosed) {
                    throw new IOException("the snapshot upload stopped reading");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a snapshot");
        }
    }

    private byte[] take() throws IOException {
        byte[] chunk;
        try {
            chunk = chunks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a snapshot");
        }
        if (chunk == END && producerFailure != null) {
            throw new IOException("writing the snapshot failed: " + producerFailure.getMessage(), producerFailure);
        }
        return chunk;
    }
}
