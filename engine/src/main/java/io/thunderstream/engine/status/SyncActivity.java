package io.thunderstream.engine.status;

import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sync.SyncListener;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** What the sync loops did last, for the status page: per LMDB the last snapshot stored, and the last merged per instance. */
public final class SyncActivity implements SyncListener {

    /** A snapshot and when it was stored or merged here. */
    public record Event(SnapshotName snapshot, Instant at) {
    }

    private final Map<String, Event> stored = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Event>> merged = new ConcurrentHashMap<>();

    public Optional<Event> lastStored(String db) {
        return Optional.ofNullable(stored.get(db));
    }

    /** Instance -> the last snapshot of it merged into {@code db}, by instance name. */
    public Map<String, Event> lastMerged(String db) {
        return new TreeMap<>(merged.getOrDefault(db, Map.of()));
    }

    @Override
    public void snapshotStored(String db, String name, long txnId, long compressedBytes) {
        SnapshotName.parse(name).ifPresent(n -> stored.put(db, new Event(n, Instant.now())));
    }

    @Override
    public void snapshotMerged(String db, String name, MergeResult result) {
        SnapshotName.parse(name).ifPresent(n ->
                merged.computeIfAbsent(db, d -> new ConcurrentHashMap<>()).put(n.instance(), new Event(n, Instant.now())));
    }
}
