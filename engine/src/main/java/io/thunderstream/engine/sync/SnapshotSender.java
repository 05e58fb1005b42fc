package io.thunderstream.engine.sync;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.HeaderedDbiSource;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.LmdbEnvironmentException;
import io.thunderstream.engine.shadow.ShadowMode;
import io.thunderstream.engine.snapshot.DbiSource;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotMeta;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * Writes a full snapshot of a native-mode LMDB to storage: one read transaction, so the snapshot
 * is a consistent point-in-time image, streamed DBI by DBI through the encoder and gzip into the
 * storage upload without holding the snapshot in memory. Private {@code _sync*} DBIs are left out.
 * In shadow mode the application DBIs are first copied to their shadows, which are then read.
 */
final class SnapshotSender {

    /** What was stored. */
    record Sent(SnapshotName name, long txnId, long compressedBytes) {
    }

    private final LmdbEnvironment lmdb;
    private final StorageBackend storage;
    private final String instance;
    private final String hostname;
    private final Clock clock;
    private final ShadowMode shadow;
    private long lastTimestampNanos;

    SnapshotSender(LmdbEnvironment lmdb, StorageBackend storage, String instance, String hostname, Clock clock) {
        this(lmdb, storage, instance, hostname, clock, null);
    }

    /** @param shadow shadow mode, or null for native mode */
    SnapshotSender(LmdbEnvironment lmdb, StorageBackend storage, String instance, String hostname, Clock clock,
            ShadowMode shadow) {
        this.shadow = shadow;
        this.lmdb = lmdb;
        this.storage = storage;
        this.instance = instance;
        this.hostname = hostname;
        this.clock = clock;
    }

    Sent send() throws IOException {
        // Shadow mode: the snapshot stands for the txn at which main and shadows agree, not the read txn.
        long shadowTxnId = shadow != null ? shadow.syncToShadow() : 0;
        long nanos = nextTimestampNanos();
        SnapshotName name = SnapshotName.of(lmdb.name(), instance, Instant.ofEpochSecond(0, nanos));
        ChunkPipe pipe = new ChunkPipe();
        AtomicLong txnId = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> encoderFailure = new java.util.concurrent.atomic.AtomicReference<>();
        CountingOutputStream compressed = new CountingOutputStream(pipe.output());
        // The encoder runs on its own thread and owns the read transaction from start to end.
        CompletableFuture<Void> encoder = CompletableFuture.runAsync(() -> {
            Txn<ByteBuffer> txn = lmdb.env().txnRead();
            SnapshotWriter writer = null;
            try {
                txnId.set(shadow != null ? shadowTxnId : txn.getId());
                SnapshotMeta meta = new SnapshotMeta(SnapshotName.DEFAULT_GENERATION, instance, hostname, txnId.get(), nanos,
                        lmdb.name(), 0);
                // Not try-with-resources: closing the writer ends the stream as a whole snapshot, so only success may close it.
                writer = new SnapshotWriter(Gzip.compress(compressed, Gzip.DEFAULT_LEVEL, Gzip.DEFAULT_THREADS), meta);
                for (String dbiName : lmdb.dbiNames(txn)) {
                    if (LmdbEnvironment.isPrivate(dbiName)) {
                        continue;
                    }
                    DbiSource source = shadow != null ? shadow.snapshotSource(txn, dbiName) : dbiSource(txn, dbiName);
                    if (source != null) {
                        writer.writeDbi(source);
                    }
                }
                writer.close();
                writer = null;
                lmdb.commit(txn);
            } catch (Throwable t) {
                lmdb.abort(txn);
                encoderFailure.set(t);
                // Fail the pipe before closing the writer: closing ends gzip and the pipe cleanly,
                // which must not read as a whole snapshot.
                pipe.fail(t);
                if (writer != null) {
                    try {
                        writer.close(); // frees the gzip threads; the failed pipe refuses the bytes
                    } catch (IOException | RuntimeException ignored) {
                        // expected: the pipe has failed
                    }
                }
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "snapshot-" + lmdb.name());
            t.setDaemon(true);
            t.start();
        });
        try (var in = pipe.input()) {
            storage.write(name.toString(), in, -1);
        } catch (IOException | RuntimeException e) {
            encoder.cancel(false);
            if (encoderFailure.get() instanceof RuntimeException local) {
                throw local; // the local data cannot be snapshotted (a value without header, a DUPSORT DBI): retrying will not help
            }
            throw e;
        }
        try {
            encoder.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (encoderFailure.get() != null) {
            // The upload ended as if whole although the encoder failed: never leave that blob for others to merge.
            storage.delete(name.toString());
            if (encoderFailure.get() instanceof RuntimeException local) {
                throw local;
            }
            throw new IOException("writing snapshot " + name + " failed: " + encoderFailure.get().getMessage(), encoderFailure.get());
        }
        return new Sent(name, txnId.get(), compressed.count);
    }

    /** This instance's name as it appears in snapshot names. */
    String instance() {
        return SnapshotName.sanitizeInstance(instance);
    }

    /** Snapshot times of one instance strictly increase, so names never collide. */
    private long nextTimestampNanos() {
        lastTimestampNanos = Math.max(clock.nanosSinceEpoch(), lastTimestampNanos + 1);
        return lastTimestampNanos;
    }

    /** One DBI read through a cursor of the snapshot's read transaction; read twice by the writer. */
    /** A native-mode DBI as snapshot content. */
    private DbiSource dbiSource(Txn<ByteBuffer> txn, String name) {
        Dbi<ByteBuffer> dbi = lmdb.dbi(txn, name);
        int flags = LmdbEnvironment.flags(txn, dbi);
        if (DbiFlags.has(flags, DbiFlags.DUPSORT)) {
            throw new LmdbEnvironmentException(lmdb.name(), "DBI " + name
                    + " is DUPSORT, which native mode cannot sync; use schema_tracks_changes: false with dupsort_hack: true");
        }
        return new HeaderedDbiSource(name, flags, "", txn, dbi, name);
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private volatile long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
