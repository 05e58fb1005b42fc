package io.thunderstream.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The listing cache behind the {@code use_update_marker} option of object-store backends,
 * compatible with Lightning Stream: every write and delete also stores a small object
 * {@value #NAME} (under the backend's global prefix) holding {@code <key>:<version>:<unix nanos>:<deleted>};
 * a listing first reads the marker (cheap) and sends the LIST (the expensive call) only when the
 * marker changed, is missing, or {@code update_marker_force_list_interval} passed since the last
 * LIST.
 *
 * <p>Every instance sharing the bucket must have it on, else their writes go unnoticed until the
 * forced LIST. Thread-safe.
 */
public final class UpdateMarker {

    /** The marker's name under the global prefix, as Lightning Stream names it. */
    public static final String NAME = "update-marker";

    /** Lists the blobs whose names (without the global prefix) start with a prefix. */
    @FunctionalInterface
    public interface Listing {
        List<BlobInfo> list(String prefix) throws IOException;
    }

    /** Reads the marker now in the storage; null when there is none. */
    @FunctionalInterface
    public interface MarkerRead {
        String read() throws IOException;
    }

    private final long forceListNanos;
    private String lastMarker;
    private List<BlobInfo> lastList;
    private long listedAt;

    public UpdateMarker(Duration forceListInterval) {
        this.forceListNanos = forceListInterval.toNanos();
    }

    /** The marker's content after a write ({@code version}: the ETag or generation) or a delete of {@code key}. */
    public static String content(String key, String version, boolean deleted) {
        Instant now = Instant.now();
        String v = version == null ? "" : version.replace("\"", "");
        return key + ":" + v + ":" + (now.getEpochSecond() * 1_000_000_000L + now.getNano()) + ":" + deleted;
    }

    /**
     * The blobs starting with {@code prefix}: from the cached full listing while the marker is
     * unchanged, else from a new full listing (the next call may ask for another prefix).
     */
    public List<BlobInfo> list(String prefix, MarkerRead readMarker, Listing listAll) throws IOException {
        String upstream = readMarker.read();
        List<BlobInfo> all;
        synchronized (this) {
            boolean fresh = upstream != null && lastList != null && upstream.equals(lastMarker)
                    && System.nanoTime() - listedAt < forceListNanos;
            all = fresh ? lastList : null;
        }
        if (all == null) {
            long started = System.nanoTime();
            all = List.copyOf(listAll.list(""));
            synchronized (this) {
                lastMarker = upstream;
                lastList = all;
                listedAt = started;
            }
        }
        return all.stream().filter(b -> b.name().startsWith(prefix)).toList();
    }

    /** This instance stored {@code marker}: its own cached listing is stale. */
    public synchronized void changed(String marker) {
        lastMarker = marker;
        lastList = null;
    }
}
