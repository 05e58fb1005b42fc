package io.thunderstream.engine.shadow;

import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.HeaderedDbiSource;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SnapshotSpool;
import io.thunderstream.engine.powerdns.PowerDnsChecks;
import io.thunderstream.engine.snapshot.DbiSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow mode (compat.md section 5, {@code schema_tracks_changes: false}): for LMDBs whose values
 * carry no Lightning Stream header, such as PowerDNS 4.7's. Every application DBI {@code X} gets
 * a shadow DBI {@code _sync_shadow_X} that holds header + value; the shadows are what snapshots
 * are read from and what merges write to, and the application DBIs follow them:
 * <ul>
 * <li>main -> shadow before a snapshot and before a merge, when the LMDB changed since the last
 *     copy (told by its transaction id): new and changed values get the current time, keys gone
 *     from X become tombstones;</li>
 * <li>shadow -> main: every entry a merge changes in a shadow is changed the same way in X, so X
 *     keeps holding the shadow's live entries (a full rewrite of X only where the startup copy
 *     found the shadow newer).</li>
 * </ul>
 * These copies need a write transaction, so this mode holds LMDB's write lock longer than native
 * mode; merges compare in a read transaction first and write in slices as native ones do
 * ({@link ShadowMerge}). DUPSORT DBIs are synced with {@code dupsort_hack: true} ({@link DupsortHack}).
 *
 * <p>One thread at a time (the sync loop) calls the methods that write; snapshot sources may be
 * read on another thread.
 */
public final class ShadowMode {

    private static final Logger log = LoggerFactory.getLogger(ShadowMode.class);

    /** Prefix of the shadow DBIs' names. */
    public static final String SHADOW_PREFIX = "_sync_shadow_";
    /** The flags an application DBI passes on to its shadow: INTEGERKEY keeps integer keys in order. */
    static final int SHADOW_FLAGS = DbiFlags.INTEGERKEY;
    /** Timestamp of data found at startup: 1 ns after the epoch, so any real change of another instance wins. */
    public static final long STARTUP_TIMESTAMP_NANOS = 1;
    /** How many of a new DBI's first values must look like headers for it to be refused. */
    private static final int HEADER_SAMPLE = 16;

    private final LmdbEnvironment lmdb;
    private final LmdbConfig config;
    private final LongSupplier clock;
    private final ShadowCopy copy;
    /** The last txn id at which the application DBIs and the shadows held the same live data. */
    private long syncedTxnId = -1;

    /** @param clock wall-clock time in ns since the epoch, for the timestamps of local changes */
    public ShadowMode(LmdbEnvironment lmdb, LmdbConfig config, LongSupplier clock) {
        this.lmdb = lmdb;
        this.config = config;
        this.clock = clock;
        this.copy = new ShadowCopy(lmdb);
    }

    public static String shadowName(String dbi) {
        return SHADOW_PREFIX + dbi;
    }

    LmdbEnvironment lmdb() {
        return lmdb;
    }

    LmdbConfig config() {
        return config;
    }

    ShadowCopy copy() {
        return copy;
    }

    /**
     * At startup, before any snapshot is loaded: copies what the LMDB holds into the shadows with
     * timestamps of 1 ns, so data written while no syncer ran is kept unless another instance
     * has something newer. Returns the txn id at which main and shadows agree.
     */
    public long start() {
        if (lmdb.lastTxnId() == 0) {
            syncedTxnId = 0;
            return 0;
        }
        return copyToShadows(STARTUP_TIMESTAMP_NANOS, "at startup");
    }

    /**
     * Before a snapshot: main -> shadow if the LMDB changed since the last copy. Returns the txn
     * id the snapshot stands for: what the LMDB held at that id is what the shadows now hold.
     */
    public long syncToShadow() {
        if (syncedTxnId >= 0 && lmdb.lastTxnId() == syncedTxnId) {
            return syncedTxnId;
        }
        return copyToShadows(-1, "before a snapshot");
    }

    private long copyToShadows(long fixedTimestamp, String when) {
        Txn<ByteBuffer> txn = lmdb.env().txnWrite();
        try {
            long start = System.nanoTime();
            long ts = fixedTimestamp > 0 ? fixedTimestamp : clock.getAsLong();
            long written = mainToShadows(txn, ts);
            long id = txn.getId();
            lmdb.commit(txn);
            syncedTxnId = written > 0 ? id : id - 1;
            if (written > 0) {
                log.info("lmdb {}: copied {} changed entries to the shadow DBIs {} (txn {}, {} ms)", lmdb.name(), written,
                        when, id, (System.nanoTime() - start) / 1_000_000);
            }
            return syncedTxnId;
        } catch (RuntimeException e) {
            lmdb.abort(txn);
            throw e;
        }
    }

    /**
     * Refuses a DBI whose first values (up to {@value #HEADER_SAMPLE}) all start with a header as
     * an application writes it: that application tracks changes itself and needs native mode. The
     * shadow would take its headers for data, and peers would write them into its values again.
     */
    private void refuseHeaders(Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> main) {
        int headers = 0;
        try (Cursor<ByteBuffer> cursor = main.openCursor(txn)) {
            for (boolean more = cursor.first(); more && headers < HEADER_SAMPLE; more = cursor.next()) {
                if (!ValueHeader.looksWritten(cursor.val(), txn.getId())) {
                    return;
                }
                headers++;
            }
        }
        if (headers > 0) {
            throw new ConfigException("lmdbs." + lmdb.name() + ".schema_tracks_changes: false (shadow mode), but the values"
                    + " of DBI " + name + " start with Lightning Stream headers: the application writes them itself; set"
                    + " schema_tracks_changes: true");
        }
    }

    /**
     * Main -> shadow for every application DBI in the write transaction {@code txn}; DBIs whose
     * shadow kept newer values go through shadow -> main at once. Returns the entries written.
     */
    long mainToShadows(Txn<ByteBuffer> txn, long ts) {
        long written = 0;
        for (String name : lmdb.dbiNames(txn)) {
            if (LmdbEnvironment.isPrivate(name)) {
                continue;
            }
            Dbi<ByteBuffer> main = lmdb.dbi(txn, name);
            int flags = checkedFlags(txn, name, main);
            Dbi<ByteBuffer> shadow = lmdb.dbi(txn, shadowName(name));
            if (shadow == null) {
                PowerDnsChecks.refuseInShadowMode(lmdb.name(), name);
                refuseHeaders(txn, name, main);
                shadow = lmdb.createDbi(txn, shadowName(name), flags & SHADOW_FLAGS);
            }
            ShadowCopy.Result result = copy.mainToShadow(txn, name, main, flags, shadow, ts);
            written += result.written();
            if (result.disagrees()) {
                log.info("lmdb {} DBI {}: {} local values are older than the synced ones and are replaced by them",
                        lmdb.name(), name, result.kept());
                written += copy.shadowToMain(txn, name, main, flags, shadow);
            }
        }
        return written;
    }

    /** The flags of application DBI {@code name}, refused when shadow mode cannot sync it. */
    int checkedFlags(Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> main) {
        int flags = LmdbEnvironment.flags(txn, main);
        if (DbiFlags.has(flags, DbiFlags.DUPSORT)) {
            if (!config.dupsortHack()) {
                throw new DupsortHackException("lmdb " + lmdb.name() + ": DBI " + name
                        + " is DUPSORT; set lmdbs." + lmdb.name() + ".dupsort_hack: true to sync it");
            }
            if (DbiFlags.has(flags, DbiFlags.INTEGERKEY)) {
                throw new DupsortHackException("lmdb " + lmdb.name() + ": DBI " + name
                        + " is DUPSORT with INTEGERKEY, which dupsort_hack cannot encode");
            }
        }
        return flags;
    }

    /**
     * Removes the shadow DBIs and every other private {@code _sync*} DBI, in one write
     * transaction, and returns their names. The sync state is lost: the next start copies the
     * application DBIs with timestamps of 1 ns, so other instances' data wins over local changes
     * that were not stored yet. Run it with no syncer on the LMDB.
     */
    public static java.util.List<String> dropPrivateDbis(LmdbEnvironment lmdb) {
        java.util.List<String> dropped = new java.util.ArrayList<>();
        Txn<ByteBuffer> txn = lmdb.env().txnWrite();
        try {
            for (String name : lmdb.dbiNames(txn)) {
                if (LmdbEnvironment.isPrivate(name)) {
                    lmdb.dropDbi(txn, name);
                    dropped.add(name);
                }
            }
            lmdb.commit(txn);
        } finally {
            lmdb.abort(txn);
        }
        return dropped;
    }

    /**
     * Called after each write transaction of a merge committed at {@code txnId} (0: nothing
     * written, then the LMDB is still at {@code writeTxnId - 1}): it began with main -> shadow, so
     * main and shadows agree there.
     */
    void merged(long txnId, long writeTxnId) {
        syncedTxnId = txnId != 0 ? txnId : writeTxnId - 1;
    }

    /** Whether the LMDB changed since main and shadows last agreed, seen from write transaction {@code txn}. */
    boolean changedSinceCopy(Txn<ByteBuffer> txn) {
        return syncedTxnId < 0 || txn.getId() - 1 > syncedTxnId;
    }

    /**
     * Merges a remote snapshot into the shadows and the application DBIs: compared in a read
     * transaction, written in slices of at most {@code merge_lock_duration}, nothing applied of
     * a snapshot that is refused.
     */
    public MergeResult merge(SnapshotSource source, long deletedCutoffNanos) throws IOException {
        return new ShadowMerge(this, source, deletedCutoffNanos, clock).run();
    }

    /**
     * Checks a whole snapshot by shadow mode's rules ({@link SnapshotCheck} with {@link ShadowRules}),
     * without touching LMDB, so that a merge can apply it in several transactions; its decompressed
     * protobuf is kept in {@code spool} (null: not kept). Thread-safe.
     */
    public SnapshotSource check(SnapshotSource source, SnapshotSpool spool) throws IOException {
        return SnapshotCheck.check(source, lmdb.name(), lmdb.env().getMaxKeySize(), new ShadowRules(config, lmdb.name()),
                spool);
    }

    /**
     * The snapshot content of application DBI {@code name}, read from its shadow in the read
     * transaction {@code txn}: the DBI's own name and flags, the dupsort_hack transform for
     * DUPSORT DBIs. Null when the DBI has no shadow yet (created after the last copy).
     */
    public DbiSource snapshotSource(Txn<ByteBuffer> txn, String name) {
        Dbi<ByteBuffer> main = lmdb.dbi(txn, name);
        Dbi<ByteBuffer> shadow = lmdb.dbi(txn, shadowName(name));
        if (main == null || shadow == null) {
            return null;
        }
        int flags = LmdbEnvironment.flags(txn, main);
        String transform = DbiFlags.has(flags, DbiFlags.DUPSORT) ? DupsortHack.TRANSFORM : "";
        return new HeaderedDbiSource(name, flags, transform, txn, shadow, shadowName(name));
    }
}
