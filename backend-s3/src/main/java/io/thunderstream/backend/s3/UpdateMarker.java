package io.thunderstream.backend.s3;

import io.thunderstream.api.BlobInfo;
import java.time.Duration;
import java.util.List;

/**
 * The cache behind {@code use_update_marker}, compatible with Lightning Stream: every write and
 * delete also stores {@code <global_prefix>update-marker} holding
 * {@code <key>:<etag>:<unix nanos>:<deleted>}; a listing first GETs the marker (cheap) and sends
 * the LIST (about 12 times dearer) only when the marker changed, is missing, or
 * {@code update_marker_force_list_interval} passed since the last LIST.
 *
 * <p>Every instance sharing the bucket must have it on, else their writes go unnoticed until the
 * forced LIST. Not for buckets replicated active-active: the marker can change in another region
 * without the objects being there yet.
 */
final class UpdateMarker {

    /** LS's name, under the global prefix. */
    static final String NAME = "update-marker";

    private final long forceListNanos;

    private String lastMarker;
    private List<BlobInfo> lastList;
    private long listedAt;

    UpdateMarker(Duration forceListInterval) {
        this.forceListNanos = forceListInterval.toNanos();
    }

    /** The marker's next content after a write ({@code etag} non-null) or delete of {@code key}. */
    static String content(String key, String etag, boolean deleted) {
        String tag = etag == null ? "" : etag.replace("\"", "");
        return key + ":" + tag + ":" + (System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L)
                + ":" + deleted;
    }

    /** The full listing cached for {@code upstream} (the marker now in the bucket), or null to LIST. */
    synchronized List<BlobInfo> cached(String upstream) {
        if (upstream == null || lastList == null || !upstream.equals(lastMarker)
                || System.nanoTime() - listedAt >= forceListNanos) {
            return null;
        }
        return lastList;
    }

    /** A LIST made when the marker was {@code upstream} returned {@code all}. */
    synchronized void listed(String upstream, List<BlobInfo> all) {
        lastMarker = upstream;
        lastList = List.copyOf(all);
        listedAt = System.nanoTime();
    }

    /** This instance wrote {@code marker}: our own cached listing is stale. */
    synchronized void changed(String marker) {
        lastMarker = marker;
        lastList = null;
    }
}
