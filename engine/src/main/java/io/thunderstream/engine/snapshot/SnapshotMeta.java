package io.thunderstream.engine.snapshot;

/**
 * The {@code Snapshot.Meta} message.
 *
 * @param lmdbTxnId     the LMDB txn id the snapshot was read at
 * @param timestampNano when the snapshot was made, ns since the epoch (fixed64 on the wire)
 * @param fromLmdbTxnId exclusive lower bound of an incremental snapshot, 0 for a full one
 */
public record SnapshotMeta(String generationId, String instanceId, String hostname, long lmdbTxnId,
                           long timestampNano, String databaseName, long fromLmdbTxnId) {
    /** All fields at their protobuf defaults: what a snapshot without a meta field holds. */
    public static final SnapshotMeta EMPTY = new SnapshotMeta("", "", "", 0, 0, "", 0);

    public SnapshotMeta {
        generationId = generationId == null ? "" : generationId;
        instanceId = instanceId == null ? "" : instanceId;
        hostname = hostname == null ? "" : hostname;
        databaseName = databaseName == null ? "" : databaseName;
    }
}
