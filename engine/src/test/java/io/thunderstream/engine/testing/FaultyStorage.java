package io.thunderstream.engine.testing;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.InputStreams;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StorageBackend} that misbehaves like real object storage on a bad day, around a real
 * backend: calls fail or are slow, listings lag behind writes (so snapshots also show up out of
 * order) and come back shuffled with duplicate entries, reads break midway, uploads break midway,
 * and some uploads succeed but report a failure (so the caller stores a duplicate). Every fault is
 * drawn from one seeded {@link Random}; the order in which threads draw varies from run to run.
 * {@link #heal()} stops all faults at once.
 */
public final class FaultyStorage implements StorageBackend {

    /** How often each fault happens (probabilities per call) and how bad it gets. */
    public record Faults(double fail, double slow, Duration maxLatency, double lagging, Duration maxListingLag,
            double breakRead, double breakUpload, double lostAck, double shuffledListing) {

        /** Enough of everything that a one-minute run meets every fault many times. */
        public static Faults chaos() {
            return new Faults(0.10, 0.10, Duration.ofMillis(150), 0.30, Duration.ofSeconds(2), 0.10, 0.05, 0.05, 0.5);
        }
    }

    /** How many faults of each kind were injected. */
    public final AtomicLong failures = new AtomicLong();
    public final AtomicLong delays = new AtomicLong();
    public final AtomicLong laggingBlobs = new AtomicLong();
    public final AtomicLong brokenReads = new AtomicLong();
    public final AtomicLong brokenUploads = new AtomicLong();
    public final AtomicLong lostAcks = new AtomicLong();
    public final AtomicLong shuffledListings = new AtomicLong();

    private final StorageBackend inner;
    private final Faults faults;
    private final Random random;
    /** Blobs not listed until this System.nanoTime(). */
    private final Map<String, Long> hiddenUntil = new ConcurrentHashMap<>();
    private volatile boolean healed;

    public FaultyStorage(StorageBackend inner, Faults faults, long seed) {
        this.inner = inner;
        this.faults = faults;
        this.random = new Random(seed);
    }

    /** From now on every call goes straight through, and every blob is listed. */
    public void heal() {
        healed = true;
        hiddenUntil.clear();
    }

    public String summary() {
        return "failures=" + failures + " delays=" + delays + " laggingBlobs=" + laggingBlobs + " brokenReads=" + brokenReads
                + " brokenUploads=" + brokenUploads + " lostAcks=" + lostAcks + " shuffledListings=" + shuffledListings;
    }

    private boolean chance(double p) {
        if (healed || p <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    private long nextLong(long bound) {
        synchronized (random) {
            return bound <= 0 ? 0 : (long) (random.nextDouble() * bound);
        }
    }

    /** Latency and failure before a call reaches the storage. */
    private void before(String call, String name) throws IOException {
        if (chance(faults.slow())) {
            delays.incrementAndGet();
            try {
                Thread.sleep(nextLong(faults.maxLatency().toMillis()) + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(call + " " + name + ": interrupted");
            }
        }
        if (chance(faults.fail())) {
            failures.incrementAndGet();
            throw new StorageException("faulty: " + call + " " + name + ": injected failure (503 Slow Down)");
        }
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        before("list", prefix);
        long now = System.nanoTime();
        List<BlobInfo> out = new ArrayList<>();
        for (BlobInfo blob : inner.list(prefix)) {
            Long until = hiddenUntil.get(blob.name());
            if (until == null || until <= now || healed) {
                out.add(blob);
            }
        }
        if (!out.isEmpty() && chance(faults.shuffledListing())) {
            shuffledListings.incrementAndGet();
            synchronized (random) {
                out.add(out.get(random.nextInt(out.size())));
                Collections.shuffle(out, random);
            }
        }
        return out;
    }

    @Override
    public InputStream read(String name) throws IOException {
        before("read", name);
        InputStream in = inner.read(name);
        if (!chance(faults.breakRead())) {
            return in;
        }
        brokenReads.incrementAndGet();
        long breakAfter = nextLong(4096);
        return new FilterInputStream(in) {
            private long delivered;

            @Override
            public int read() throws IOException {
                return InputStreams.readByte(this);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (delivered >= breakAfter) {
                    throw new IOException("faulty: read " + name + ": connection reset after " + delivered + " bytes (injected)");
                }
                int n = super.read(b, off, (int) Math.min(len, breakAfter - delivered));
                if (n > 0) {
                    delivered += n;
                }
                return n;
            }
        };
    }

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        before("write", name);
        InputStream body = data;
        if (chance(faults.breakUpload())) {
            brokenUploads.incrementAndGet();
            long breakAfter = nextLong(2048);
            body = new FilterInputStream(data) {
                private long sent;

                @Override
                public int read() throws IOException {
                    return InputStreams.readByte(this);
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (sent >= breakAfter) {
                        throw new IOException("faulty: write " + name + ": connection reset after " + sent + " bytes (injected)");
                    }
                    int n = super.read(b, off, (int) Math.min(len, breakAfter - sent));
                    if (n > 0) {
                        sent += n;
                    }
                    return n;
                }
            };
        }
        if (chance(faults.lagging())) {
            laggingBlobs.incrementAndGet();
            hiddenUntil.put(name, System.nanoTime() + nextLong(faults.maxListingLag().toNanos()));
        }
        inner.write(name, body, size);
        if (chance(faults.lostAck())) {
            lostAcks.incrementAndGet();
            throw new StorageException("faulty: write " + name + ": stored, but the response was lost (injected)");
        }
    }

    @Override
    public void delete(String name) throws IOException {
        before("delete", name);
        inner.delete(name);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
