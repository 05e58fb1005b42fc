package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.Clock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code thunderstream experimental}: Lightning Stream's experimental commands, for PowerDNS operators. */
@Command(name = "experimental", mixinStandardHelpOptions = true,
        description = "Experimental commands, as Lightning Stream's: they may change or go in a later version.",
        subcommands = {ExperimentalCommand.MigrateTimestamps.class, ExperimentalCommand.PdnsV5FixDuplicateDomains.class,
                CommandLine.HelpCommand.class})
final class ExperimentalCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see thunderstream experimental --help");
    }

    /** What a command does in its one write transaction; whether it wrote anything. */
    interface Work {
        boolean run(LmdbEnvironment lmdb, Txn<ByteBuffer> txn) throws IOException;
    }

    /**
     * Runs {@code work} in one write transaction on the LMDB {@code database} of the config:
     * committed when it wrote something, else aborted (the txn id stays); an error aborts it, so
     * nothing is half done.
     */
    static void inWriteTxn(CommandSpec spec, String database, Work work) throws IOException {
        LmdbConfig config = ThunderstreamCommand.onlyLmdbs(spec, ThunderstreamCommand.of(spec).config(), "-d/--database",
                List.of(database)).lmdbs().get(database);
        try (LmdbEnvironment lmdb = LmdbEnvironment.openExisting(config)) {
            Txn<ByteBuffer> txn = lmdb.env().txnWrite();
            try {
                if (work.run(lmdb, txn)) {
                    lmdb.commit(txn);
                }
            } finally {
                lmdb.abort(txn);
            }
        }
    }

    /**
     * Copies timestamps from one DBI to another, key by key, as Lightning Stream's command of this
     * name: for a migration in which the same data moves to a DBI of another name (PowerDNS 4.7's
     * shadow {@code _sync_shadow_records} to 4.8's {@code records_v5}, say), so that it keeps the
     * times it was written at instead of looking new (and winning) everywhere. A timestamp is only
     * ever raised; the values are not compared. The source may hold full headers or the 8-byte
     * timestamps of Lightning Stream 0.2.0; the destination must hold full headers. With
     * {@code --add-delete-entries} a source value of 8 bytes is a 0.2.0 deletion and any other must
     * be a full header (as in LS).
     */
    @Command(name = "migrate-timestamps", mixinStandardHelpOptions = true,
            description = {"Copy timestamps from one DBI to another by key (only raising them), for a migration where the"
                    + " same data moved to a DBI of another name; with --add-delete-entries, also copy the deletions"
                    + " of keys the destination does not hold."})
    static final class MigrateTimestamps implements Callable<Integer> {

        private static final Logger log = LoggerFactory.getLogger(MigrateTimestamps.class);
        /** Lightning Stream 0.2.0 values started with a bare 8-byte timestamp; such a value alone is a deletion. */
        private static final int OLD_HEADER_SIZE = 8;

        @Spec
        CommandSpec spec;

        @Option(names = {"-d", "--database"}, required = true, paramLabel = "NAME", description = "The LMDB of the config.")
        String database;

        @Option(names = "--src-dbi", required = true, paramLabel = "DBI", description = "The DBI to take the timestamps from.")
        String source;

        @Option(names = "--dst-dbi", required = true, paramLabel = "DBI", description = "The DBI whose timestamps to raise.")
        String destination;

        @Option(names = "--add-delete-entries", description = "Also add a tombstone, with the source's timestamp, for every key"
                + " deleted in the source that the destination does not hold.")
        boolean addDeletes;

        @Option(names = "--ignore-src-dbi-not-present", description = "A missing source DBI is no error: nothing is done.")
        boolean ignoreMissingSource;

        private long updated;
        private long tombstones;

        @Override
        public Integer call() throws IOException {
            if (source.equals(destination)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--src-dbi and --dst-dbi are the same DBI");
            }
            inWriteTxn(spec, database, this::migrate);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("lmdb %s: %d timestamps raised in %s, %d tombstones added%n", database, updated, destination, tombstones);
            out.flush();
            return 0;
        }

        private boolean migrate(LmdbEnvironment lmdb, Txn<ByteBuffer> txn) throws IOException {
            Dbi<ByteBuffer> src = lmdb.dbi(txn, source);
            if (src == null && ignoreMissingSource) {
                log.warn("lmdb {}: no DBI {}: nothing migrated", database, source);
                return false;
            }
            Dbi<ByteBuffer> dst = lmdb.dbi(txn, destination);
            if (src == null || dst == null) {
                throw new IOException("lmdb " + database + ": no DBI " + (src == null ? source : destination));
            }
            try (Cursor<ByteBuffer> cursor = dst.openCursor(txn)) {
                ByteBuffer raised = ByteBuffer.allocateDirect(4096);
                for (boolean more = cursor.first(); more; more = cursor.next()) {
                    ByteBuffer value = cursor.val();
                    ValueHeader.length(value, destination, cursor.key()); // a full header, or an error naming the key
                    ByteBuffer from = src.get(txn, cursor.key());
                    if (from == null || ValueHeader.timestampNano(value) >= timestamp(from, cursor.key())) {
                        continue;
                    }
                    if (raised.capacity() < value.remaining()) {
                        raised = ByteBuffer.allocateDirect(value.remaining() * 2);
                    }
                    raised.clear().put(value.duplicate()).flip();
                    // The timestamp and txn id only: flags, extension blocks and value stay as they are.
                    raised.putLong(0, timestamp(from, cursor.key())).putLong(8, txn.getId());
                    cursor.put(cursor.key(), raised, PutFlags.MDB_CURRENT);
                    updated++;
                }
            }
            if (addDeletes) {
                try (Cursor<ByteBuffer> cursor = src.openCursor(txn)) {
                    ByteBuffer tombstone = ByteBuffer.allocateDirect(ValueHeader.SIZE);
                    for (boolean more = cursor.first(); more; more = cursor.next()) {
                        if (!deleted(cursor.val(), cursor.key()) || dst.get(txn, cursor.key()) != null) {
                            continue;
                        }
                        ValueHeader.write(tombstone.clear(), timestamp(cursor.val(), cursor.key()), txn.getId(),
                                ValueHeader.FLAG_DELETED);
                        dst.put(txn, cursor.key(), tombstone.flip());
                        tombstones++;
                    }
                }
            }
            return updated + tombstones > 0;
        }

        /** A source value's timestamp: its first 8 bytes, in either header. */
        private long timestamp(ByteBuffer value, ByteBuffer key) throws IOException {
            if (value.remaining() < OLD_HEADER_SIZE) {
                throw new IOException("lmdb " + database + " DBI " + source + ": the value of key " + ValueHeader.describeKey(key)
                        + " is " + value.remaining() + " bytes, too short for a timestamp");
            }
            return ValueHeader.timestampNano(value);
        }

        private boolean deleted(ByteBuffer value, ByteBuffer key) throws IOException {
            timestamp(value, key);
            if (value.remaining() == OLD_HEADER_SIZE) {
                return true;
            }
            int header = ValueHeader.length(value, source, key);
            boolean deleted = ValueHeader.isDeleted(value);
            if (deleted && value.remaining() > header) {
                throw new IOException("lmdb " + database + " DBI " + source + ": key " + ValueHeader.describeKey(key)
                        + " is deleted but has a value");
            }
            return deleted;
        }
    }

    /**
     * PowerDNS Auth 4.8's schema version 5 lets two instances create the same zone, each under an
     * id of its own; once synced, {@code domains_v5_0} holds the name twice, which early 4.8
     * releases fail on. As Lightning Stream's command of this name: report such names, and with
     * {@code --dangerous-do-rename} keep the oldest entry of each and rename the others to
     * {@code <name>.dup-<id>.invalid} (a tombstone for the old key, a new key), which then sync
     * like any change and are to be removed with {@code pdnsutil delete-zone}.
     */
    @Command(name = "pdns-v5-fix-duplicate-domains", mixinStandardHelpOptions = true,
            description = {"Find domain names that PowerDNS Auth 4.8 (schema version 5) holds twice, under two ids, in"
                    + " domains_v5_0; with --dangerous-do-rename keep the oldest and rename the others to"
                    + " NAME.dup-ID.invalid, to be removed with pdnsutil delete-zone."})
    static final class PdnsV5FixDuplicateDomains implements Callable<Integer> {

        private static final Logger log = LoggerFactory.getLogger(PdnsV5FixDuplicateDomains.class);
        static final String INDEX_DBI = "domains_v5_0";

        @Spec
        CommandSpec spec;

        @Option(names = {"-d", "--database"}, required = true, paramLabel = "NAME",
                description = "The LMDB of the config to fix: PowerDNS's main database.")
        String database;

        @Option(names = "--dangerous-do-rename", description = "Rename the newer entries of each duplicate name (else only report them).")
        boolean rename;

        /** One index entry: the name as stored (labels reversed, NUL-separated), the zone's id, its header timestamp. */
        private record Entry(byte[] name, long id, long timestampNano) {
        }

        private final Set<String> toDelete = new LinkedHashSet<>();
        private int duplicates;

        @Override
        public Integer call() throws IOException {
            inWriteTxn(spec, database, this::fix);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("lmdb %s: %d duplicate domain entr%s%s%n", database, duplicates, duplicates == 1 ? "y" : "ies",
                    duplicates > 0 && !rename ? " (run again with --dangerous-do-rename to rename them)" : "");
            if (!toDelete.isEmpty()) {
                out.println("These zones are to be removed with `pdnsutil delete-zone ZONE` (list-all-zones does not show them,"
                        + " and removing them does not shorten this list):");
                toDelete.forEach(zone -> out.println("- " + zone));
            }
            out.flush();
            return 0;
        }

        private boolean fix(LmdbEnvironment lmdb, Txn<ByteBuffer> txn) throws IOException {
            requireSchemaVersion5(lmdb, txn);
            Dbi<ByteBuffer> index = lmdb.dbi(txn, INDEX_DBI);
            if (index == null) {
                throw new IOException("lmdb " + database + ": no " + INDEX_DBI + " DBI; this is not PowerDNS's main database");
            }
            List<Entry> renames = new ArrayList<>();
            Entry kept = null; // the oldest entry of the current name
            try (Cursor<ByteBuffer> cursor = index.openCursor(txn)) {
                for (boolean more = cursor.first(); more; more = cursor.next()) {
                    ByteBuffer value = cursor.val();
                    ValueHeader.length(value, INDEX_DBI, cursor.key()); // refuses a broken header, naming the key
                    if (ValueHeader.isDeleted(value)) {
                        continue;
                    }
                    Entry entry = entry(cursor.key(), ValueHeader.timestampNano(value));
                    String display = display(entry.name());
                    if (display.endsWith(".invalid") && display.contains(".dup-")) {
                        toDelete.add(display); // renamed earlier
                    }
                    if (kept == null || !Arrays.equals(kept.name(), entry.name())) {
                        kept = entry;
                        continue;
                    }
                    duplicates++;
                    Entry newer = entry.timestampNano() < kept.timestampNano() ? kept : entry;
                    kept = newer == entry ? kept : entry;
                    log.error("lmdb {}: domain {} is held twice, as id {} and id {}: keeping the oldest, id {}{}", database,
                            display, kept.id(), newer.id(), kept.id(),
                            rename ? "; renaming id " + newer.id() : " (not renamed without --dangerous-do-rename)");
                    if (rename) {
                        renames.add(newer);
                    }
                }
            }
            for (Entry newer : renames) {
                byte[] renamed = concat(("invalid\0dup-" + newer.id() + "\0").getBytes(StandardCharsets.US_ASCII), newer.name());
                put(index, txn, key(newer.name(), newer.id()), ValueHeader.FLAG_DELETED);
                put(index, txn, key(renamed, newer.id()), 0);
                toDelete.add(display(renamed));
            }
            return !renames.isEmpty();
        }

        private void requireSchemaVersion5(LmdbEnvironment lmdb, Txn<ByteBuffer> txn) throws IOException {
            Dbi<ByteBuffer> pdns = lmdb.dbi(txn, "pdns");
            if (pdns == null) {
                throw new IOException("lmdb " + database + ": no pdns DBI; this is not PowerDNS's main database");
            }
            ByteBuffer key = ByteBuffer.allocateDirect(13).put("schemaversion".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer value = pdns.get(txn, key);
            if (value == null) {
                throw new IOException("lmdb " + database + ": pdns DBI has no schemaversion");
            }
            value.position(value.position() + ValueHeader.length(value, "pdns", key));
            int version = value.remaining() == 4 ? value.getInt(value.position()) : -1;
            if (version != 5) {
                throw new IOException("lmdb " + database + ": schemaversion is " + (version < 0 ? "not 4 bytes" : version)
                        + "; this command is for schema version 5 (PowerDNS Auth 4.8)");
            }
        }

        /** An index key: a 2-byte name length, the name, a 4-byte id. */
        private Entry entry(ByteBuffer key, long timestampNano) throws IOException {
            int n = key.remaining() >= 2 ? key.getShort(key.position()) & 0xffff : -1;
            if (n < 0 || key.remaining() != 2 + n + 4) {
                throw new IOException("lmdb " + database + " DBI " + INDEX_DBI + ": key " + ValueHeader.describeKey(key)
                        + " is not a 2-byte length, a name of that length and a 4-byte id");
            }
            byte[] name = new byte[n];
            key.duplicate().position(key.position() + 2).get(name);
            return new Entry(name, key.getInt(key.position() + 2 + n) & 0xffffffffL, timestampNano);
        }

        private static ByteBuffer key(byte[] name, long id) {
            return ByteBuffer.allocateDirect(2 + name.length + 4).putShort((short) name.length).put(name).putInt((int) id).flip();
        }

        /** Writes a header-only value, as every entry of the index is, timestamped now so that it wins and syncs. */
        private static void put(Dbi<ByteBuffer> index, Txn<ByteBuffer> txn, ByteBuffer key, int flags) {
            ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE);
            ValueHeader.write(value, Clock.SYSTEM.nanosSinceEpoch(), txn.getId(), flags);
            index.put(txn, key, value.flip());
        }

        /** The name for people: its labels in the usual order ({@code com\0example} is example.com). */
        static String display(byte[] name) {
            List<String> labels = new ArrayList<>(List.of(new String(name, StandardCharsets.UTF_8).split("\0")));
            labels.removeIf(String::isEmpty);
            Collections.reverse(labels);
            return String.join(".", labels);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
