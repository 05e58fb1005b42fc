package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.ValueHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * {@code experimental pdns-v5-fix-duplicate-domains} on an LMDB laid out as PowerDNS Auth 4.8
 * writes its main database: {@code pdns} with {@code schemaversion} 5, and the name index
 * {@code domains_v5_0} (a 2-byte length, the name with its labels reversed, a 4-byte id; values
 * are bare Lightning Stream headers).
 */
class ExperimentalCommandTest {

    @TempDir
    Path dir;

    private Path config;
    private Path lmdb;

    @BeforeEach
    void setUp() throws Exception {
        lmdb = dir.resolve("pdns.lmdb");
        config = dir.resolve("lightningstream.yaml");
        Files.writeString(config, """
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      no_subdir: true
                storage:
                  type: fs
                  options: {root_path: %s}
                """.formatted(lmdb, dir.resolve("bucket")));
    }

    private InProcessRun run(String... args) {
        return InProcessRun.withConfig(config, args);
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(Math.max(1, bytes.length)).put(bytes).flip();
    }

    private static byte[] header(long timestampNano, int flags, byte[] after) {
        ByteBuffer b = ByteBuffer.allocate(ValueHeader.SIZE + after.length);
        ValueHeader.write(b, timestampNano, 1, flags);
        return b.put(after).array();
    }

    private static byte[] indexKey(String reversedName, int id) {
        byte[] name = reversedName.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(2 + name.length + 4).putShort((short) name.length).put(name).putInt(id).array();
    }

    /** An LMDB with the given schema version and index entries: reversed name, id, timestamp, deleted. */
    private void create(int schemaVersion, Object[]... entries) {
        try (Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(8)
                .open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> pdns = env.openDbi("pdns", DbiFlags.MDB_CREATE);
            Dbi<ByteBuffer> index = env.openDbi(ExperimentalCommand.PdnsV5FixDuplicateDomains.INDEX_DBI, DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                pdns.put(txn, direct("schemaversion".getBytes(StandardCharsets.US_ASCII)),
                        direct(header(1, 0, ByteBuffer.allocate(4).putInt(schemaVersion).array())));
                for (Object[] e : entries) {
                    index.put(txn, direct(indexKey((String) e[0], (Integer) e[1])),
                            direct(header((Long) e[2], (Boolean) e[3] ? ValueHeader.FLAG_DELETED : 0, new byte[0])));
                }
                txn.commit();
            }
        }
    }

    /** The index: displayed name/id -> "live" or "deleted". */
    private Map<String, String> index() {
        Map<String, String> out = new TreeMap<>();
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_RDONLY_ENV,
                EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> index = env.openDbi(ExperimentalCommand.PdnsV5FixDuplicateDomains.INDEX_DBI);
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = index.openCursor(txn)) {
                for (boolean more = c.first(); more; more = c.next()) {
                    ByteBuffer key = c.key();
                    byte[] name = new byte[key.getShort(0) & 0xffff];
                    key.duplicate().position(2).get(name);
                    int id = key.getInt(2 + name.length);
                    out.put(ExperimentalCommand.PdnsV5FixDuplicateDomains.display(name) + "/" + id,
                            ValueHeader.isDeleted(c.val()) ? "deleted" : "live");
                }
            }
        }
        return out;
    }

    private long lastTxnId() {
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOTLS)) {
            return env.info().lastTransactionId;
        }
    }

    @Test
    void duplicatesAreReportedThenTheNewerOnesRenamed() {
        create(5,
                new Object[] {"com\0example", 1, 100L, false},
                new Object[] {"com\0example", 2, 200L, false},
                new Object[] {"net\0example", 3, 100L, false},
                new Object[] {"net\0example", 4, 50L, true}, // a deleted entry is no duplicate
                new Object[] {"test\0three", 6, 300L, false},
                new Object[] {"test\0three", 7, 100L, false}, // the oldest of three
                new Object[] {"test\0three", 8, 200L, false});
        Map<String, String> before = index();
        long txn = lastTxnId();

        InProcessRun report = run("experimental", "pdns-v5-fix-duplicate-domains", "-d", "main");
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out()).contains("lmdb main: 3 duplicate domain entries (run again with --dangerous-do-rename");
        assertThat(index()).as("nothing written without --dangerous-do-rename").isEqualTo(before);
        assertThat(lastTxnId()).isEqualTo(txn);

        InProcessRun fix = run("experimental", "pdns-v5-fix-duplicate-domains", "--database", "main", "--dangerous-do-rename");
        assertThat(fix.exitCode()).as(fix.err()).isZero();
        assertThat(index()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("example.com/1", "live"),
                Map.entry("example.com/2", "deleted"),
                Map.entry("example.com.dup-2.invalid/2", "live"),
                Map.entry("example.net/3", "live"),
                Map.entry("example.net/4", "deleted"),
                Map.entry("three.test/6", "deleted"),
                Map.entry("three.test/7", "live"),
                Map.entry("three.test/8", "deleted"),
                Map.entry("three.test.dup-6.invalid/6", "live"),
                Map.entry("three.test.dup-8.invalid/8", "live")));
        assertThat(fix.out()).contains("lmdb main: 3 duplicate domain entries\n",
                "pdnsutil delete-zone", "- example.com.dup-2.invalid", "- three.test.dup-6.invalid", "- three.test.dup-8.invalid");

        InProcessRun again = run("experimental", "pdns-v5-fix-duplicate-domains", "-d", "main", "--dangerous-do-rename");
        assertThat(again.out()).as("nothing left to rename; the renamed zones are still to be deleted")
                .contains("lmdb main: 0 duplicate domain entries\n", "- example.com.dup-2.invalid");
    }

    /** Puts raw values: key -> value bytes. */
    private void putRaw(String dbiName, Map<String, byte[]> entries) {
        try (Env<ByteBuffer> env = Env.create().setMapSize(64L << 20).setMaxDbs(8)
                .open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> dbi = env.openDbi(dbiName, DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                entries.forEach((k, v) -> dbi.put(txn, direct(k.getBytes(StandardCharsets.US_ASCII)), direct(v)));
                txn.commit();
            }
        }
    }

    /** A DBI's values: key -> "ts=N txn=N flags=N value=TEXT". */
    private Map<String, String> values(String dbiName) {
        Map<String, String> out = new TreeMap<>();
        try (Env<ByteBuffer> env = Env.create().setMaxDbs(8).open(lmdb.toFile(), EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_RDONLY_ENV,
                EnvFlags.MDB_NOTLS)) {
            Dbi<ByteBuffer> dbi = env.openDbi(dbiName);
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                for (boolean more = c.first(); more; more = c.next()) {
                    ByteBuffer v = c.val();
                    byte[] app = new byte[v.remaining() - ValueHeader.SIZE];
                    v.duplicate().position(ValueHeader.SIZE).get(app);
                    out.put(StandardCharsets.US_ASCII.decode(c.key()).toString(), "ts=" + ValueHeader.timestampNano(v)
                            + " txn=" + ValueHeader.txnId(v) + " flags=" + ValueHeader.flags(v) + " value=" + new String(app, StandardCharsets.US_ASCII));
                }
            }
        }
        return out;
    }

    /** A Lightning Stream 0.2.0 deletion: a bare 8-byte timestamp. */
    private static byte[] oldDeletion(long timestampNano) {
        return ByteBuffer.allocate(8).putLong(timestampNano).array();
    }

    private static byte[] value(long timestampNano, int flags, String value) {
        return header(timestampNano, flags, value.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void migrateTimestampsRaisesTheDestinationsTimestampsAndCopiesDeletions() {
        putRaw("src", Map.of(
                "older", value(500, 0, "a"),          // raises dst's 100
                "newer", value(50, 0, "b"),            // dst's 100 is newer: left
                "gone", oldDeletion(700),              // 0.2.0 deletion, not in dst: a tombstone
                "gone2", value(800, ValueHeader.FLAG_DELETED, ""),
                "kept", value(900, ValueHeader.FLAG_DELETED, "")));  // deleted here, present in dst: raised, no tombstone
        putRaw("dst", Map.of(
                "older", value(100, 0, "A"),
                "newer", value(100, 0, "B"),
                "kept", value(100, 0, "K"),
                "only", value(100, 0, "O")));
        long txn = lastTxnId();

        InProcessRun run = run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "src", "--dst-dbi", "dst");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("lmdb main: 2 timestamps raised in dst, 0 tombstones added");
        String migrated = "txn=" + (txn + 1);
        assertThat(values("dst")).containsExactlyInAnyOrderEntriesOf(Map.of(
                "older", "ts=500 " + migrated + " flags=0 value=A",
                "newer", "ts=100 txn=1 flags=0 value=B",
                "kept", "ts=900 " + migrated + " flags=0 value=K",
                "only", "ts=100 txn=1 flags=0 value=O"));

        InProcessRun deletes = run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "src", "--dst-dbi", "dst",
                "--add-delete-entries");
        assertThat(deletes.out()).contains("lmdb main: 0 timestamps raised in dst, 2 tombstones added");
        assertThat(values("dst")).containsEntry("gone", "ts=700 txn=" + (txn + 2) + " flags=1 value=")
                .containsEntry("gone2", "ts=800 txn=" + (txn + 2) + " flags=1 value=")
                .containsEntry("kept", "ts=900 " + migrated + " flags=0 value=K").hasSize(6);

        long before = lastTxnId();
        assertThat(run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "src", "--dst-dbi", "dst",
                "--add-delete-entries").out()).contains("0 timestamps raised in dst, 0 tombstones added");
        assertThat(lastTxnId()).as("nothing to write, no transaction").isEqualTo(before);
    }

    @Test
    void migrateTimestampsRefusesWhatItCannotReadAndWritesNothing() {
        putRaw("src", Map.of("a", value(500, ValueHeader.FLAG_DELETED, "not empty"), "b", new byte[] {1, 2}));
        putRaw("dst", Map.of("a", value(100, 0, "A"), "b", value(100, 0, "B")));
        Map<String, String> before = values("dst");

        InProcessRun short8 = run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "src", "--dst-dbi", "dst");
        assertThat(short8.exitCode()).isEqualTo(1);
        assertThat(short8.err()).contains("DBI src: the value of key \"b\" is 2 bytes, too short for a timestamp");
        InProcessRun valued = run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "src", "--dst-dbi", "nope");
        assertThat(valued.err()).contains("lmdb main: no DBI nope");
        assertThat(values("dst")).as("the transaction was rolled back").isEqualTo(before);

        InProcessRun missing = run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "absent", "--dst-dbi", "dst",
                "--ignore-src-dbi-not-present");
        assertThat(missing.exitCode()).as(missing.err()).isZero();
        assertThat(run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "absent", "--dst-dbi", "dst").err())
                .contains("lmdb main: no DBI absent");
        assertThat(run("experimental", "migrate-timestamps", "-d", "main", "--src-dbi", "dst", "--dst-dbi", "dst").exitCode())
                .isEqualTo(2);
    }

    @Test
    void onlyForSchemaVersion5AndAnLmdbOfTheConfig() {
        create(4, new Object[] {"com\0example", 1, 100L, false});
        InProcessRun old = run("experimental", "pdns-v5-fix-duplicate-domains", "-d", "main");
        assertThat(old.exitCode()).isEqualTo(1);
        assertThat(old.err()).contains("schemaversion is 4; this command is for schema version 5 (PowerDNS Auth 4.8)");

        InProcessRun unknown = run("experimental", "pdns-v5-fix-duplicate-domains", "-d", "shard");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("-d/--database shard: no LMDB of that name in the config (LMDBs: main)");
        assertThat(run("experimental", "pdns-v5-fix-duplicate-domains").exitCode()).as("-d is required").isEqualTo(2);
    }
}
