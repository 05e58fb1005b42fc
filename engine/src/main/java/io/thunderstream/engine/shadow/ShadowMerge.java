package io.thunderstream.engine.shadow;

import io.thunderstream.engine.config.DbiOptions;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.JoinCursor;
import io.thunderstream.engine.merge.LastWriterWins;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.MergeTransactions;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.merge.SplitPoint;
import io.thunderstream.engine.merge.UpperHalfScan;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.LongSupplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One merge of a remote snapshot in shadow mode: the snapshot's entries into the shadows, last
 * writer wins as in native mode; every entry that changes a shadow changes the application DBI
 * the same way, so that it keeps holding the shadow's live entries.
 *
 * <p>As in native mode ({@link MergeTransactions}), entries are compared in a read transaction,
 * so a snapshot that changes nothing never takes the write lock, and writes go in slices of at
 * most {@code merge_lock_duration}. Every write transaction (the first, and each new slice)
 * starts with main -> shadow when the LMDB changed since the last copy, and the entry at hand is
 * compared again in it: a local change the application made meanwhile is in the shadow, with
 * the time of the copy, before any remote entry is weighed against it. A merge in several
 * transactions has the whole snapshot checked first ({@link ShadowRules}) and the DBIs' flags
 * compared with the local ones, so a snapshot that would be refused applies nothing.
 *
 * <p>The upper half of a checked snapshot's largest DBI is compared beside the rest, on a second
 * thread ({@link UpperHalfScan}): this merge then goes on from the first entry there that wins.
 */
final class ShadowMerge {

    private static final Logger log = LoggerFactory.getLogger(ShadowMerge.class);

    private final ShadowMode mode;
    private final LmdbEnvironment lmdb;
    private final SnapshotSource source;
    private final long deletedCutoffNanos;
    private final LongSupplier clock;
    private final ByteBuffer key;
    private SnapshotSource current;
    private SnapshotCheck rules;
    private MergeTransactions txns;
    private Map<String, Long> flagsOnWire;
    /** Unchecked: each entry meets the snapshot rules as it is merged (a checked one met them whole). */
    private boolean checkEntries;
    private boolean localDbisChecked;
    private String dbiName;
    private Dbi<ByteBuffer> main;
    private Dbi<ByteBuffer> shadow;
    /** The shadow walked beside the snapshot, in the current transaction; null until needed. */
    private JoinCursor shadowCursor;
    private int mainFlags;
    private boolean skipDbi;
    /** The upper half of the split DBI, compared beside the rest; null when there is none. */
    private UpperHalfScan upperHalf;
    private SplitPoint split;
    private boolean inSplitDbi;
    private long read;
    private long written;

    ShadowMerge(ShadowMode mode, SnapshotSource source, long deletedCutoffNanos, LongSupplier clock) {
        this.mode = mode;
        this.lmdb = mode.lmdb();
        this.source = source;
        this.deletedCutoffNanos = deletedCutoffNanos;
        this.clock = clock;
        this.key = ByteBuffer.allocateDirect(lmdb.env().getMaxKeySize());
    }

    MergeResult run() throws IOException {
        try {
            return MergeTransactions.merge(source, lmdb.name(), mode::check, this::attempt);
        } catch (Env.MapFullException e) {
            throw MergeException.lmdbFull(lmdb, source.name(), e);
        }
    }

    private MergeResult attempt(SnapshotSource checkedOrNot) throws IOException {
        current = checkedOrNot;
        rules = new SnapshotCheck(lmdb.name(), current.name(), key.capacity(), new ShadowRules(mode.config(), lmdb.name()));
        flagsOnWire = null;
        checkEntries = current.checkedDbiFlags().isEmpty();
        localDbisChecked = false;
        split = current.splitPoint().orElse(null);
        read = 0;
        written = 0;
        long lockNanos = mode.config().mergeLockDuration().toNanos();
        // After each write transaction main and shadows agree: the next copy starts from there.
        try (MergeTransactions t = new MergeTransactions(lmdb, lockNanos, current,
                (id, changed) -> mode.merged(changed ? id : 0, id));
                SnapshotReader reader = current.reader();
                UpperHalfScan scan = startUpperHalf()) {
            txns = t;
            upperHalf = scan;
            t.beforeEachTxnEnds(this::closeShadowCursor);
            for (Event e; (e = reader.next()) != Event.END; ) {
                switch (e) {
                    case META -> rules.database(reader);
                    case DBI_START -> startDbi(reader);
                    case ENTRY -> mergeEntry(reader);
                    case DBI_END -> endDbi(reader);
                    default -> throw new IllegalStateException(e.toString());
                }
            }
            t.finish();
            return new MergeResult(reader.meta(), read, written, t.committedTxnIds());
        }
    }

    /** Starts comparing the split DBI's upper half, when the snapshot has one and its shadow is here. */
    private UpperHalfScan startUpperHalf() {
        if (split == null) {
            return null;
        }
        String shadowName = ShadowMode.shadowName(split.dbiName());
        Txn<ByteBuffer> txn = lmdb.env().txnRead();
        Dbi<ByteBuffer> splitShadow = lmdb.dbi(txn, shadowName);
        lmdb.commit(txn); // read-only: the handle opened in it stays usable on the scan's thread
        return splitShadow == null ? null
                : new UpperHalfScan(lmdb, current, split, splitShadow, shadowName, deletedCutoffNanos);
    }

    private Txn<ByteBuffer> txn() {
        return txns.txn();
    }

    /**
     * Moves into a write transaction unless in one: main -> shadow first when the LMDB changed
     * since the last copy. Returns true when it began one; the caller then compares again.
     */
    private boolean beginWriting() {
        if (!txns.beginWriting()) {
            return false;
        }
        if (mode.changedSinceCopy(txn()) && mode.mainToShadows(txn(), clock.getAsLong()) > 0) {
            txns.changed();
        }
        return true;
    }

    private void startDbi(SnapshotReader reader) throws IOException {
        closeShadowCursor();
        dbiName = reader.dbiName();
        main = null;
        shadow = null;
        skipDbi = LmdbEnvironment.isPrivate(dbiName);
        inSplitDbi = upperHalf != null && split.dbiName().equals(dbiName);
        if (skipDbi) {
            log.warn("lmdb {}: snapshot {} holds the private DBI {}; skipped", lmdb.name(), current.name(), dbiName);
            return;
        }
        rules.startDbi(reader);
        if (!localDbisChecked) {
            checkLocalDbis(reader);
        }
        main = lmdb.dbi(txn(), dbiName);
        if (main == null) {
            beginWriting();
            main = createMain(reader);
        }
        try {
            mainFlags = mode.checkedFlags(txn(), dbiName, main);
        } catch (DupsortHackException e) {
            throw refused(e.getMessage(), e);
        }
        shadow = lmdb.dbi(txn(), ShadowMode.shadowName(dbiName));
        if (shadow == null && beginWriting()) {
            shadow = lmdb.dbi(txn(), ShadowMode.shadowName(dbiName)); // the copy may have made it
        }
        if (shadow == null) {
            shadow = lmdb.createDbi(txn(), ShadowMode.shadowName(dbiName), mainFlags & ShadowMode.SHADOW_FLAGS);
            txns.changed();
            // A DBI with data but no shadow (its shadow was dropped under a running syncer): copy it
            // first, or shadow -> main would take its keys for deleted ones.
            if (main.stat(txn()).entries > 0) {
                mode.copy().mainToShadow(txn(), dbiName, main, mainFlags, shadow, clock.getAsLong());
            }
        }
    }

    /**
     * Before the first DBI of a checked snapshot, which may be merged in several transactions:
     * the rules that need the local DBIs, for every DBI of the snapshot, so that none of them
     * refuses it after a slice was committed. Snapshots before formatVersion 3 carry the shadow's
     * flags, not the DBI's, so they are merged in one transaction.
     */
    private void checkLocalDbis(SnapshotReader reader) {
        localDbisChecked = true;
        if (current.checkedDbiFlags().isEmpty()) {
            return; // unchecked: commits only at the end
        }
        if (reader.formatVersion() < 3) {
            txns.oneTransaction();
            return;
        }
        for (Map.Entry<String, Long> dbi : current.checkedDbiFlags().get().entrySet()) {
            String name = dbi.getKey();
            if (LmdbEnvironment.isPrivate(name)) {
                continue;
            }
            Dbi<ByteBuffer> local = lmdb.dbi(txn(), name);
            int localFlags;
            if (local != null) {
                try {
                    localFlags = mode.checkedFlags(txn(), name, local);
                } catch (DupsortHackException e) {
                    throw refused(e.getMessage(), e);
                }
            } else {
                localFlags = mode.config().dbiOptions(name).overrideCreateFlags().orElse(dbi.getValue().intValue());
            }
            sameDupsort(name, localFlags, DbiFlags.has(dbi.getValue(), DbiFlags.DUPSORT), 3);
        }
    }

    /** Refuses a DBI that is DUPSORT here and not in the snapshot, or the other way round. */
    private void sameDupsort(String name, int localFlags, boolean hack, long formatVersion) {
        boolean localHack = DbiFlags.has(localFlags, DbiFlags.DUPSORT);
        if (hack && !localHack || !hack && localHack && formatVersion >= 3) {
            throw refused("DBI " + name + " is " + (localHack ? "" : "not ") + "DUPSORT here and "
                    + (hack ? "" : "not ") + "in the snapshot");
        }
    }

    /** Creates the application DBI a snapshot brings, with the snapshot's flags or the configured override. */
    private Dbi<ByteBuffer> createMain(SnapshotReader reader) throws IOException {
        DbiOptions options = mode.config().dbiOptions(dbiName);
        int flags;
        if (options.overrideCreateFlags().isPresent()) {
            flags = options.overrideCreateFlags().getAsInt();
        } else if (reader.formatVersion() < 3) {
            // Before version 3, shadow-mode snapshots carried the shadow DBI's flags, not the application DBI's.
            throw refused("DBI " + dbiName + " does not exist here and a formatVersion " + reader.formatVersion()
                    + " snapshot does not tell its real flags; set lmdbs." + lmdb.name() + ".dbi_options." + dbiName
                    + ".override_create_flags if you are sure which flags it needs");
        } else {
            flags = (int) flagsOnWire(dbiName);
        }
        if (DbiFlags.has(flags, DbiFlags.DUPSORT) && !mode.config().dupsortHack()) {
            throw refused("DBI " + dbiName + " is DUPSORT; set lmdbs." + lmdb.name() + ".dupsort_hack: true to sync it");
        }
        log.warn("lmdb {}: creating DBI {} with flags {} from snapshot {}", lmdb.name(), dbiName,
                DbiFlags.toString(flags), current.name());
        txns.changed();
        return lmdb.createDbi(txn(), dbiName, flags);
    }

    private void endDbi(SnapshotReader reader) {
        if (skipDbi) {
            return;
        }
        rules.endDbi(reader);
        sameDupsort(dbiName, mainFlags, reader.dbiTransform().equals(DupsortHack.TRANSFORM), reader.formatVersion());
        int wireFlags = (int) reader.dbiFlags();
        if (reader.formatVersion() >= 3 && wireFlags != mainFlags) {
            log.warn("lmdb {}: DBI {} has flags {} here and {} in snapshot {}; merged with the local flags",
                    lmdb.name(), dbiName, DbiFlags.toString(mainFlags), DbiFlags.toString(wireFlags), current.name());
        }
    }

    private void mergeEntry(SnapshotReader reader) throws IOException {
        read++;
        if (skipDbi) {
            return;
        }
        txns.nextEntry();
        if (inSplitDbi && reader.entryIndex() == split.at().entryIndex()) {
            inSplitDbi = false;
            if (skipToUpperHalfWinner(reader)) {
                return;
            }
        }
        if (checkEntries) {
            rules.entry(reader);
        }
        key.clear();
        key.put(reader.key()).flip();
        ByteBuffer value = reader.value();
        long ts = reader.timestampNano();
        boolean deleted = LastWriterWins.deleted(reader);
        if (!remoteWins(ts, value, deleted)) {
            return;
        }
        // A new write transaction copied local changes into the shadow: compare again.
        if (beginWriting() && !remoteWins(ts, value, deleted)) {
            return;
        }
        ByteBuffer stored = shadow.get(txn(), key);
        try {
            mode.copy().applyToMain(txn(), dbiName, main, mainFlags, stored, key, deleted, value);
        } catch (DupsortHackException e) {
            String transform = reader.dbiTransform();
            if (!transform.equals(DupsortHack.TRANSFORM)) {
                // the likelier cause: not encoded at all
                throw refused("DBI " + dbiName + " is DUPSORT but has transform \"" + transform + "\" instead of "
                        + DupsortHack.TRANSFORM + " (" + e.getMessage() + ")", e);
            }
            throw refused(e.getMessage(), e);
        } catch (Env.MapFullException e) {
            throw e; // the LMDB's fault, not this key's: run() says so
        } catch (LmdbException e) {
            throw refused("DBI " + dbiName + ", key " + ValueHeader.describeKey(key) + ": " + e.getMessage(), e);
        }
        int valueSize = deleted ? 0 : value.remaining();
        ByteBuffer out = shadow.reserve(txn(), key, ValueHeader.SIZE + valueSize);
        ValueHeader.write(out, ts, txn().getId(), deleted ? ValueHeader.FLAG_DELETED : 0);
        if (!deleted) {
            out.put(value.duplicate());
        }
        written++;
        txns.changed();
    }

    /**
     * At the upper half's first entry: skips to where its scan found the first entry that wins (or
     * to its last entry), since the entries before it were compared there. Returns true when the
     * entry at hand is one of those.
     */
    private boolean skipToUpperHalfWinner(SnapshotReader reader) throws IOException {
        if (!upperHalf.done()) {
            txns.endSliceWhileIdle(); // the write lock is not held while the merge waits
        }
        SnapshotReader.EntryPosition goOnFrom = upperHalf.goOnFrom();
        if (goOnFrom.entryIndex() == reader.entryIndex()) {
            return false;
        }
        read += goOnFrom.entryIndex() - reader.entryIndex() - 1;
        reader.skipTo(goOnFrom);
        return true;
    }

    /** Whether the remote entry replaces the shadow's value of {@link #key} in the current transaction. */
    private boolean remoteWins(long ts, ByteBuffer value, boolean deleted) {
        if (shadowCursor == null) {
            shadowCursor = new JoinCursor(shadow, txn());
        }
        return LastWriterWins.incomingWins(shadowCursor.find(key, () -> key), ts, value, deleted, deletedCutoffNanos,
                ShadowMode.shadowName(dbiName), key);
    }

    private void closeShadowCursor() {
        if (shadowCursor != null) {
            shadowCursor.close();
            shadowCursor = null;
        }
    }

    private long flagsOnWire(String name) throws IOException {
        if (flagsOnWire == null) {
            flagsOnWire = current.dbiFlags();
        }
        return flagsOnWire.getOrDefault(name, 0L);
    }

    private MergeException refused(String why) {
        return rules.refused(why);
    }

    private MergeException refused(String why, Throwable cause) {
        return rules.refused(why, cause);
    }
}
