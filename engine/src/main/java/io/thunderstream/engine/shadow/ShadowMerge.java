package io.thunderstream.engine.shadow;

import io.thunderstream.engine.config.DbiOptions;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.LastWriterWins;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One merge of a remote snapshot in shadow mode, in a single write transaction: main -> shadow
 * if the LMDB changed, then the snapshot's entries into the shadows (last writer wins, as in native
 * mode); every entry that changes a shadow changes the application DBI the same way, so that it
 * keeps holding the shadow's live entries. The transaction is committed only once
 * the whole snapshot decoded and every step succeeded, so a bad snapshot applies nothing.
 */
final class ShadowMerge {

    private static final Logger log = LoggerFactory.getLogger(ShadowMerge.class);

    private final ShadowMode mode;
    private final LmdbEnvironment lmdb;
    private final SnapshotSource source;
    private final long deletedCutoffNanos;
    private final LongSupplier clock;
    private final ByteBuffer key;
    private Map<String, Long> flagsOnWire;
    private Txn<ByteBuffer> txn;
    private boolean wrote;
    private String dbiName;
    private Dbi<ByteBuffer> main;
    private Dbi<ByteBuffer> shadow;
    private int mainFlags;
    private boolean skipDbi;
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
        txn = lmdb.env().txnWrite();
        try (InputStream in = source.open(); SnapshotReader reader = SnapshotReader.openGzip(in)) {
            if (mode.changedSinceCopy(txn)) {
                wrote |= mode.mainToShadows(txn, clock.getAsLong()) > 0;
            }
            for (Event e; (e = reader.next()) != Event.END; ) {
                switch (e) {
                    case META -> checkDatabase(reader);
                    case DBI_START -> startDbi(reader);
                    case ENTRY -> mergeEntry(reader);
                    case DBI_END -> endDbi(reader);
                    default -> throw new IllegalStateException(e.toString());
                }
            }
            long id = txn.getId();
            long committed = wrote ? id : 0;
            lmdb.commit(txn);
            txn = null;
            mode.merged(committed, id);
            return new MergeResult(reader.meta(), read, written, committed);
        } catch (Env.MapFullException e) {
            throw new MergeException("lmdb " + lmdb.name() + ": snapshot " + source.name()
                    + " not merged: the LMDB is full; raise lmdbs." + lmdb.name() + ".options.map_size", e);
        } finally {
            if (txn != null) {
                lmdb.abort(txn);
            }
        }
    }

    private void checkDatabase(SnapshotReader reader) {
        String db = reader.meta().databaseName();
        if (!db.isEmpty() && !db.equals(lmdb.name())) {
            throw refused("it holds database \"" + db + "\"");
        }
    }

    private void startDbi(SnapshotReader reader) throws IOException {
        dbiName = reader.dbiName();
        shadow = null;
        skipDbi = LmdbEnvironment.isPrivate(dbiName);
        if (skipDbi) {
            log.warn("lmdb {}: snapshot {} holds the private DBI {}; skipped", lmdb.name(), source.name(), dbiName);
            return;
        }
        checkTransformKnown(reader.dbiTransform());
        main = lmdb.dbi(txn, dbiName);
        if (main == null) {
            main = createMain(reader);
        }
        try {
            mainFlags = mode.checkedFlags(txn, dbiName, main);
        } catch (DupsortHackException e) {
            throw refused(e.getMessage(), e);
        }
        shadow = lmdb.dbi(txn, ShadowMode.shadowName(dbiName));
        if (shadow == null) {
            shadow = lmdb.createDbi(txn, ShadowMode.shadowName(dbiName), mainFlags & ShadowMode.SHADOW_FLAGS);
            wrote = true;
            // A DBI with data but no shadow (its shadow was dropped under a running syncer): copy it
            // first, or shadow -> main would take its keys for deleted ones.
            if (main.stat(txn).entries > 0) {
                mode.copy().mainToShadow(txn, dbiName, main, mainFlags, shadow, clock.getAsLong());
            }
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
                DbiFlags.toString(flags), source.name());
        wrote = true;
        return lmdb.createDbi(txn, dbiName, flags);
    }

    private void endDbi(SnapshotReader reader) {
        if (skipDbi) {
            return;
        }
        String transform = reader.dbiTransform();
        checkTransformKnown(transform);
        boolean hack = transform.equals(DupsortHack.TRANSFORM);
        if (reader.formatVersion() >= 3 && DbiFlags.has(reader.dbiFlags(), DbiFlags.DUPSORT) != hack) {
            throw refused("DBI " + dbiName + (hack ? " is not DUPSORT but has transform " + DupsortHack.TRANSFORM
                    : " is DUPSORT but has transform \"" + transform + "\" instead of " + DupsortHack.TRANSFORM));
        }
        boolean localHack = DbiFlags.has(mainFlags, DbiFlags.DUPSORT);
        if (hack && !localHack || !hack && localHack && reader.formatVersion() >= 3) {
            throw refused("DBI " + dbiName + " is " + (localHack ? "" : "not ") + "DUPSORT here and "
                    + (hack ? "" : "not ") + "in the snapshot");
        }
        int wireFlags = (int) reader.dbiFlags();
        if (reader.formatVersion() >= 3 && wireFlags != mainFlags) {
            log.warn("lmdb {}: DBI {} has flags {} here and {} in snapshot {}; merged with the local flags",
                    lmdb.name(), dbiName, DbiFlags.toString(mainFlags), DbiFlags.toString(wireFlags), source.name());
        }
    }

    private void checkTransformKnown(String transform) {
        if (!transform.isEmpty() && !transform.equals(DupsortHack.TRANSFORM)) {
            throw refused("DBI " + dbiName + " has the unknown transform \"" + transform + "\"");
        }
    }

    private void mergeEntry(SnapshotReader reader) {
        read++;
        if (skipDbi) {
            return;
        }
        ByteBuffer remoteKey = reader.key();
        if (remoteKey.remaining() > key.capacity() || remoteKey.remaining() == 0) {
            throw refused("DBI " + dbiName + " holds a key of " + remoteKey.remaining()
                    + " bytes; LMDB keys are 1 to " + key.capacity() + " bytes");
        }
        key.clear();
        key.put(remoteKey.duplicate()).flip();
        ByteBuffer value = reader.value();
        long ts = reader.timestampNano();
        boolean deleted = (reader.entryFlags() & ValueHeader.FLAG_DELETED) != 0
                || (reader.formatVersion() == 1 && value.remaining() == 0);
        String shadowName = ShadowMode.shadowName(dbiName);
        ByteBuffer stored = shadow.get(txn, key);
        if (!LastWriterWins.incomingWins(stored, ts, value, deleted, deletedCutoffNanos, shadowName, key)) {
            return;
        }
        try {
            mode.copy().applyToMain(txn, dbiName, main, mainFlags, stored, key, deleted, value);
        } catch (DupsortHackException e) {
            String transform = reader.dbiTransform();
            if (!transform.equals(DupsortHack.TRANSFORM)) {
                // the likelier cause: not encoded at all
                throw refused("DBI " + dbiName + " is DUPSORT but has transform \"" + transform + "\" instead of "
                        + DupsortHack.TRANSFORM + " (" + e.getMessage() + ")", e);
            }
            throw refused(e.getMessage(), e);
        } catch (LmdbException e) {
            throw refused("DBI " + dbiName + ", key " + ValueHeader.describeKey(key) + ": " + e.getMessage(), e);
        }
        int valueSize = deleted ? 0 : value.remaining();
        ByteBuffer out = shadow.reserve(txn, key, ValueHeader.SIZE + valueSize);
        ValueHeader.write(out, ts, txn.getId(), deleted ? ValueHeader.FLAG_DELETED : 0);
        if (!deleted) {
            out.put(value.duplicate());
        }
        written++;
        wrote = true;
    }

    private long flagsOnWire(String name) throws IOException {
        if (flagsOnWire == null) {
            flagsOnWire = new HashMap<>();
            try (InputStream in = source.open(); SnapshotReader reader = SnapshotReader.openGzip(in)) {
                for (Event e; (e = reader.next()) != Event.END; ) {
                    if (e == Event.DBI_END) {
                        flagsOnWire.put(reader.dbiName(), reader.dbiFlags());
                    }
                }
            }
        }
        return flagsOnWire.getOrDefault(name, 0L);
    }

    private MergeException refused(String why) {
        return new MergeException("lmdb " + lmdb.name() + ": snapshot " + source.name() + " not merged: " + why);
    }

    private MergeException refused(String why, Throwable cause) {
        return new MergeException("lmdb " + lmdb.name() + ": snapshot " + source.name() + " not merged: " + why, cause);
    }
}
