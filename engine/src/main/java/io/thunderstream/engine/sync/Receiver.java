package io.thunderstream.engine.sync;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SnapshotSpool;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and downloads the snapshots of one LMDB that other instances store: lists the storage,
 * keeps the newest usable snapshot of each instance, and downloads it in the background (one
 * download at a time per instance), where the sync loop picks it up. A newer snapshot replaces a
 * pending older one of the same instance; snapshots that failed to merge are skipped from then
 * on, so that instance's previous snapshot becomes its newest.
 */
final class Receiver {

    private static final Logger log = LoggerFactory.getLogger(Receiver.class);

    /** The share of the heap that downloaded snapshots of all LMDBs may take together: a quarter. */
    private static final int HEAP_SHARE_DIVISOR = 4;

    private final String db;
    private final String ownInstance;
    private final StorageBackend storage;
    private final Executor downloads;
    private final SnapshotCheck.Checker check;
    private final Semaphore memorySlots;
    private final Semaphore decompressedSlots;
    private final long memoryLimit;

    private final Set<String> rejected = ConcurrentHashMap.newKeySet();
    private final Map<String, SnapshotName> merged = new ConcurrentHashMap<>();
    private final Map<String, SnapshotName> downloading = new ConcurrentHashMap<>();
    private final Map<String, Download> ready = new ConcurrentHashMap<>();
    private final Map<String, Integer> failuresInARow = new ConcurrentHashMap<>();
    private volatile IOException listFailure;
    private volatile Runnable onReady = () -> { };

    /**
     * @param check             the whole-snapshot check of the LMDB's mode (native or shadow)
     * @param memorySnapshots   {@code memory_downloaded_snapshots}: downloads held in memory at once
     * @param decompressedSnapshots {@code memory_decompressed_snapshots}: checked snapshots held
     *                          decompressed in memory at once, waiting for their merge
     * @param memoryLimit       the most one download or decompressed snapshot holds in memory;
     *                          larger ones, and any beyond the counts above, go to a temp file
     */
    Receiver(String db, String ownInstance, StorageBackend storage, Executor downloads, SnapshotCheck.Checker check,
            int memorySnapshots, int decompressedSnapshots, long memoryLimit) {
        this.db = db;
        this.ownInstance = ownInstance;
        this.storage = storage;
        this.downloads = downloads;
        this.check = check;
        this.memorySlots = new Semaphore(memorySnapshots);
        this.decompressedSlots = new Semaphore(decompressedSnapshots);
        this.memoryLimit = memoryLimit;
    }

    /**
     * The most one of {@code memorySnapshots} slots (downloaded and decompressed ones together) of
     * one of {@code lmdbs} LMDBs may hold in memory: together they take at most a quarter of the
     * heap ({@code -Xmx}), so a large snapshot streams through a temp file rather than exhausting
     * a small heap.
     */
    static long memoryLimit(long maxHeap, int memorySnapshots, int lmdbs) {
        return maxHeap / HEAP_SHARE_DIVISOR / memorySnapshots / Math.max(1, lmdbs);
    }

    /** The newest usable snapshot of every instance, this one's included, from a listing. */
    Map<String, SnapshotName> newestPerInstance(List<BlobInfo> listing) {
        Map<String, SnapshotName> newest = new HashMap<>();
        for (BlobInfo blob : listing) {
            if (rejected.contains(blob.name())) {
                continue;
            }
            Optional<SnapshotName> parsed = SnapshotName.parse(blob.name());
            if (parsed.isEmpty() || !parsed.get().database().equals(db)) {
                continue;
            }
            SnapshotName name = parsed.get();
            newest.merge(name.instance(), name, SnapshotName::newer);
        }
        return newest;
    }

    List<BlobInfo> list() throws IOException {
        return storage.list(SnapshotName.prefix(db));
    }

    /**
     * One background poll: lists the storage and starts downloads of new snapshots of other
     * instances. A failed listing is kept for {@link #lastListFailure} and retried next poll.
     */
    void poll() {
        List<BlobInfo> listing;
        try {
            listing = list();
            if (listFailure != null) {
                log.info("db {}: listing the storage works again", db);
            }
            listFailure = null;
        } catch (IOException | RuntimeException e) {
            if (listFailure == null) {
                log.warn("db {}: listing the storage failed: {}; trying again every poll", db, e.getMessage());
            }
            listFailure = e instanceof IOException io ? io : new IOException(e);
            return;
        }
        newestPerInstance(listing).forEach((instance, name) -> {
            if (!instance.equals(ownInstance) && isNew(instance, name)) {
                startDownload(instance, name);
            }
        });
    }

    IOException lastListFailure() {
        return listFailure;
    }

    private boolean isNew(String instance, SnapshotName name) {
        return newer(name, merged.get(instance))
                && newer(name, Optional.ofNullable(ready.get(instance)).map(Download::name).orElse(null))
                && !downloading.containsKey(instance);
    }

    private static boolean newer(SnapshotName a, SnapshotName b) {
        return b == null || a.compareTo(b) > 0;
    }

    private void startDownload(String instance, SnapshotName name) {
        downloading.put(instance, name);
        downloads.execute(() -> {
            try {
                Download d = checked(download(name));
                Download replaced = ready.put(instance, d);
                if (replaced != null) {
                    replaced.release();
                }
                failuresInARow.remove(instance);
                onReady.run();
            } catch (IOException | RuntimeException e) {
                int failures = failuresInARow.merge(instance, 1, Integer::sum);
                if (failures == 1) {
                    log.warn("db {} instance {}: downloading snapshot {} failed: {}; trying again every poll",
                            db, instance, name, e.getMessage());
                }
            } finally {
                downloading.remove(instance);
            }
        });
    }

    /**
     * Downloads one snapshot now, on the calling thread: into memory while a slot is free and it
     * fits {@code memoryLimit}, otherwise streamed into a temp file.
     */
    Download download(SnapshotName name) throws IOException {
        String blob = name.toString();
        SnapshotSpool spool = spool(memorySlots);
        try (InputStream in = storage.read(blob)) {
            spool.transferFrom(in);
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        return new Download(name, spool.compressedSource(blob), spool);
    }

    /** A spool in memory while one of {@code slots} is free (held until it is closed or moves to a file). */
    private SnapshotSpool spool(Semaphore slots) {
        boolean slot = slots.tryAcquire();
        return new SnapshotSpool("thunderstream-" + db + "-", slot ? memoryLimit : 0, slot ? slots::release : () -> { });
    }

    /**
     * Checks a download whole ({@link SnapshotCheck}, by the LMDB's mode) on the download thread,
     * so that the sync loop can merge it in slices without a pass of its own, from its decompressed
     * protobuf (in memory while a {@code memory_decompressed_snapshots} slot is free and it fits,
     * else in a temp file), which the check keeps so the merge does not inflate it again. The
     * compressed download is freed. A snapshot that fails the check is handed on unchecked: the
     * merge finds the same problem and rejects it.
     */
    Download checked(Download d) {
        SnapshotSpool spool = spool(decompressedSlots);
        try {
            SnapshotSource checked = check.check(d.source(), spool);
            d.release();
            return new Download(d.name(), checked, spool);
        } catch (IOException | RuntimeException e) {
            spool.close();
            log.debug("db {}: snapshot {} failed the check after its download: {}", db, d.name(), e.getMessage());
            return d;
        }
    }

    /** {@code action} runs on the download thread each time a download is ready to merge. */
    void onReady(Runnable action) {
        this.onReady = action;
    }

    /** The downloads ready to merge, newest per instance; taking them empties the queue. */
    List<Download> takeReady() {
        List<Download> out = new ArrayList<>();
        for (String instance : new ArrayList<>(ready.keySet())) {
            Download d = ready.remove(instance);
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    void markMerged(SnapshotName name) {
        merged.merge(name.instance(), name, (a, b) -> newer(b, a) ? b : a);
    }

    /** Skips a snapshot from now on; that instance's previous snapshot is considered again. */
    void markRejected(SnapshotName name) {
        rejected.add(name.toString());
    }

    boolean isRejected(String blobName) {
        return rejected.contains(blobName);
    }
}
