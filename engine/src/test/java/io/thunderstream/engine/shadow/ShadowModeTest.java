package io.thunderstream.engine.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.MergeException;
import io.thunderstream.engine.merge.MergeResult;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.snapshot.DbiSource;
import io.thunderstream.engine.testing.PlainLmdb;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Txn;

/** Shadow mode on real LMDB files: the copies both ways, snapshots from shadows, merges, the dupsort_hack. */
class ShadowModeTest {

    private static final DbiFlags[] PLAIN = {};
    private static final DbiFlags[] DUPSORT = {DbiFlags.MDB_DUPSORT};

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private PlainLmdb app;
    private LmdbEnvironment lmdb;

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
    }

    private ShadowMode open(String db, boolean dupsortHack, Map<String, DbiFlags[]> dbis) {
        app = PlainLmdb.open(dir.resolve(db), dbis);
        lmdb = LmdbEnvironment.wrap(db, app.env());
        return mode(db, dupsortHack);
    }

    /** A shadow mode on the open LMDB, as a (re)started syncer makes it. */
    private ShadowMode mode(String db, boolean dupsortHack) {
        return mode(db, dupsortHack, "");
    }

    private ShadowMode mode(String db, boolean dupsortHack, String moreYaml) {
        LmdbConfig config = ThunderstreamConfig.parse("""
                lmdbs:
                  %s:
                    path: %s
                    dupsort_hack: %s
                %s
                storage:
                  type: memory
                """.formatted(db, dir.resolve(db), dupsortHack, moreYaml.indent(4).stripTrailing()), Map.of()).lmdbs().get(db);
        return new ShadowMode(lmdb, config, clock::get);
    }

    @Test
    void dataFoundAtStartupGets1nsThenChangesGetTheCopyTimeAndDeletesBecomeTombstones() {
        ShadowMode mode = open("main", false, Map.of("domains", PLAIN));
        app.put("domains", "a", "1");
        app.put("domains", "b", "2");
        app.put("domains", "same", "x");
        mode.start();
        assertThat(app.shadow("domains")).containsExactly(
                Map.entry("a", "1 0 1"), Map.entry("b", "1 0 2"), Map.entry("same", "1 0 x"));

        clock.set(5_000);
        app.put("domains", "a", "10");
        app.delete("domains", "b");
        app.put("domains", "c", "3");
        long txn = mode.syncToShadow();
        assertThat(txn).isEqualTo(app.lastTxnId());
        assertThat(app.shadow("domains")).containsExactly(
                Map.entry("a", "5000 0 10"), Map.entry("b", "5000 1 "), Map.entry("c", "5000 0 3"),
                Map.entry("same", "1 0 x"));

        // Nothing changed: no write, the same txn.
        clock.set(9_000);
        assertThat(mode.syncToShadow()).isEqualTo(txn);
        assertThat(app.lastTxnId()).isEqualTo(txn);
        // A key re-added after its delete is a change.
        app.put("domains", "b", "again");
        mode.syncToShadow();
        assertThat(app.shadow("domains")).containsEntry("b", "9000 0 again");
    }

    @Test
    void atStartupAChangeOlderThanTheSyncedValueIsReplacedByIt() {
        // Lightning Stream's rule: data found at startup has timestamp 1 ns, so what the shadow
        // learned earlier (here at 5000) wins over a change made while no syncer ran.
        ShadowMode mode = open("main", false, Map.of("domains", PLAIN));
        app.put("domains", "a", "synced");
        mode.start();
        clock.set(5_000);
        app.put("domains", "a", "synced-later");
        mode.syncToShadow();

        app.put("domains", "a", "while-down");
        app.put("domains", "new", "while-down");
        mode(lmdb.name(), false).start();
        assertThat(app.contents().get("domains")).containsExactly("a=synced-later", "new=while-down");
        assertThat(app.shadow("domains")).containsEntry("new", "1 0 while-down");
    }

    @Test
    void atStartupADupsortValueReAddedAfterASyncedDeleteIsRemovedAgain() {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT));
        app.put("records", "k", "v1");
        app.put("records", "k", "v2");
        mode.start();
        clock.set(5_000);
        app.delete("records", "k", "v1");
        mode.syncToShadow();

        app.put("records", "k", "v1");
        app.put("records", "k", "v0");
        mode(lmdb.name(), true).start();
        assertThat(app.contents().get("records")).containsExactly("k=v0", "k=v2");
    }

    @Test
    void integerKeyIsCarriedToTheShadowAndSnapshotsCarryTheApplicationDbi() throws Exception {
        ShadowMode mode = open("main", false, Map.of("ids", new DbiFlags[] {DbiFlags.MDB_INTEGERKEY}));
        for (int id : new int[] {300, 2, 70000}) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(id).array();
            app.put("ids", key, ("id" + id).getBytes(StandardCharsets.UTF_8));
        }
        mode.start();
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            var shadow = lmdb.dbi(txn, ShadowMode.shadowName("ids"));
            assertThat(LmdbEnvironment.flags(txn, shadow)).isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            DbiSource source = mode.snapshotSource(txn, "ids");
            assertThat(source.name()).isEqualTo("ids");
            assertThat(source.flags()).isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            assertThat(source.transform()).isEmpty();
            assertThat(entries(source)).containsExactly("id2", "id300", "id70000"); // integer order
            lmdb.commit(txn);
        }
    }

    @Test
    void dupsortDbisAreShadowedWithTheDupsortHackEncoding() throws Exception {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT));
        app.put("records", "k", "v2");
        app.put("records", "k", "v1");
        app.put("records", "m", "v0");
        mode.start();
        assertThat(app.shadow("records")).containsExactly(
                Map.entry("0x6b0000000076310" + "1", "1 0 v1"),
                Map.entry("0x6b0000000076320" + "1", "1 0 v2"),
                Map.entry("0x6d0000000076300" + "1", "1 0 v0"));
        clock.set(7_000);
        app.delete("records", "k", "v1");
        mode.syncToShadow();
        assertThat(app.shadow("records")).containsEntry("0x6b000000007631" + "01", "7000 1 ").containsEntry(
                "0x6b000000007632" + "01", "1 0 v2");
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            DbiSource source = mode.snapshotSource(txn, "records");
            assertThat(source.flags()).isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.DUPSORT);
            assertThat(source.transform()).isEqualTo("dupsort_hack_v1");
            lmdb.commit(txn);
        }
    }

    @Test
    void aDupsortDbiWithoutTheHackIsRefused() {
        ShadowMode mode = open("main", false, Map.of("records", DUPSORT));
        app.put("records", "k", "v");
        assertThatThrownBy(mode::start).isInstanceOf(DupsortHackException.class)
                .hasMessageContaining("DBI records is DUPSORT; set lmdbs.main.dupsort_hack: true");
    }

    @Test
    void aKeyOver255BytesIsReportedAndNothingIsWritten() {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT, "plain", PLAIN));
        app.put("plain", "p", "1");
        app.put("records", "k".repeat(256), "v");
        long before = app.lastTxnId();
        assertThatThrownBy(mode::start).isInstanceOf(DupsortHackException.class)
                .hasMessageContaining("lmdb main DBI records")
                .hasMessageContaining("key of 256 bytes; dupsort_hack takes keys of at most 255 bytes");
        assertUntouched(before);
        app.delete("records", "k".repeat(256));
        app.put("records", "k".repeat(255), "v");
        mode.start(); // 255 bytes are fine
        assertThat(app.shadow("records")).hasSize(1);
    }

    @Test
    void valuesThatAgreeInTheirFirst505BytesCollide() {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT));
        String common = "x".repeat(505);
        app.put("records", "k", common + "a");
        app.put("records", "k", common + "b");
        long before = app.lastTxnId();
        assertThatThrownBy(mode::start).isInstanceOf(DupsortHackException.class)
                .hasMessageContaining("two values encode to the same dupsort_hack key")
                .hasMessageContaining("agree in their first 505 bytes");
        assertUntouched(before);
    }

    @Test
    void keysWithZeroBytesThatBreakTheOrderAreReported() {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT));
        app.put("records", new byte[] {'a'}, new byte[] {2});
        app.put("records", new byte[] {'a', 0}, new byte[] {1});
        long before = app.lastTxnId();
        assertThatThrownBy(mode::start).isInstanceOf(DupsortHackException.class)
                .hasMessageContaining("sorts before the previous one");
        assertUntouched(before);
    }

    /** A PowerDNS upgraded to 4.8+ under a shadow-mode syncer: its values have headers now. */
    @Test
    void aPowerDnsThatWritesTheHeadersItselfIsRefusedAndNothingIsWritten() {
        // A new PowerDNS 4.9 before its first zone: it made its DBIs at its first start, all empty but pdns.
        ShadowMode mode = open("main", true, Map.of("domains_v5", PLAIN, "domains_v5_0", PLAIN, "keydata_v5", PLAIN,
                "metadata_v5", PLAIN, "pdns", PLAIN, "tsig_v5", PLAIN));
        ByteBuffer schema5 = ByteBuffer.allocate(ValueHeader.SIZE + 4);
        ValueHeader.write(schema5, 0, 0, 0);
        app.put("pdns", "schemaversion".getBytes(StandardCharsets.US_ASCII), schema5.putInt(5).array());
        long before = app.lastTxnId();
        assertThatThrownBy(mode::start).isInstanceOf(ConfigException.class)
                .hasMessage("config: lmdbs.main.schema_tracks_changes: false (shadow mode), but DBI domains_v5 is PowerDNS"
                        + " 4.8's or later's: PowerDNS 4.8 or later writes the headers itself; set schema_tracks_changes: true"
                        + " (see docs/powerdns.md, From PowerDNS 4.7 to 4.8)");
        assertUntouched(before);
        app.close();

        ShadowMode shard = open("shard", true, Map.of("records_v5", PLAIN));
        app.put("records_v5", "r", "v");
        long shardBefore = app.lastTxnId();
        assertThatThrownBy(shard::start).isInstanceOf(ConfigException.class)
                .hasMessage("config: lmdbs.shard.schema_tracks_changes: false (shadow mode), but DBI records_v5 is PowerDNS"
                        + " 4.8's or later's: PowerDNS 4.8 or later writes the headers itself; set schema_tracks_changes: true"
                        + " (see docs/powerdns.md, From PowerDNS 4.7 to 4.8)");
        assertUntouched(shardBefore);
    }

    /** Any application that writes the headers itself (schema_tracks_changes forgotten): refused too. */
    @Test
    void valuesThatStartWithHeadersAreRefusedAndNothingIsWritten() {
        ShadowMode mode = open("main", false, Map.of("domains", PLAIN));
        for (String key : List.of("a", "b", "c")) {
            ByteBuffer value = ByteBuffer.allocate(ValueHeader.SIZE + 2);
            ValueHeader.write(value, 1_700_000_000_000_000_000L, 1, key.equals("b") ? ValueHeader.FLAG_DELETED : 0);
            app.put("domains", key.getBytes(StandardCharsets.US_ASCII), value.put((byte) 'x').put((byte) 'y').array());
        }
        long before = app.lastTxnId();
        assertThatThrownBy(mode::start).isInstanceOf(ConfigException.class)
                .hasMessage("config: lmdbs.main.schema_tracks_changes: false (shadow mode), but the values of DBI domains"
                        + " start with Lightning Stream headers: the application writes them itself; set"
                        + " schema_tracks_changes: true");
        assertUntouched(before);
        app.close();

        // Plain values of any length, and one header-like value among plain ones, are the application's data.
        ShadowMode plain = open("plain", false, Map.of("records", PLAIN));
        app.put("records", "a", "a value longer than a header, 32 bytes");
        ByteBuffer headerLike = ByteBuffer.allocate(ValueHeader.SIZE);
        ValueHeader.write(headerLike, 1_700_000_000_000_000_000L, 1, 0);
        app.put("records", "b".getBytes(StandardCharsets.US_ASCII), headerLike.array());
        plain.start();
        assertThat(app.shadow("records")).hasSize(2);
    }

    /**
     * PowerDNS 4.7 stores its schema version 4 as a bare little-endian number; a DBI named as 4.8's
     * that a merge brought (from a bucket shared with 4.8 servers) has its shadow and is synced on.
     */
    @Test
    void powerDns47IsShadowedAndA48DbiFromAMergeIsNotRefused() throws Exception {
        ShadowMode mode = open("main", true, Map.of("pdns", PLAIN));
        app.put("pdns", "schemaversion".getBytes(StandardCharsets.US_ASCII), new byte[] {4, 0, 0, 0});
        mode.start();
        assertThat(app.shadow("pdns")).hasSize(1);

        mode.merge(SnapshotSource.of("s1", TestSnapshots.gzip("main", "other", Dbi.of("domains_v5", Kv.of("d", "1", 500)))), 0);
        app.put("pdns", "local", "change");
        mode.syncToShadow();
        assertThat(app.contents()).containsEntry("domains_v5", List.of("d=1"));
        assertThat(app.shadow("pdns")).containsKey("local");
    }

    @Test
    void theEncoderRefusesAnEmptyKey() {
        assertThatThrownBy(() -> DupsortHack.encode(ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {1}),
                ByteBuffer.allocate(511), "lmdb main DBI records"))
                .isInstanceOf(DupsortHackException.class)
                .hasMessage("lmdb main DBI records: empty key; dupsort_hack cannot encode it");
    }

    private void assertUntouched(long txnBefore) {
        assertThat(app.lastTxnId()).isEqualTo(txnBefore);
        assertThat(app.dbiNames()).noneMatch(n -> n.startsWith("_sync"));
    }

    @Test
    void theSharedDupsortHackVectorMergesIntoAShadowModeLmdb() throws Exception {
        ShadowMode mode = open("shard", true, Map.of());
        mode.start();
        MergeResult result = mode.merge(SnapshotSource.of("v3-dupsort-hack", TestSnapshots.vector("v3-dupsort-hack")), 0);
        assertThat(result.entriesWritten()).isEqualTo(3);
        assertThat(result.changedAnything()).isTrue();
        // The third value (600 bytes, cut to 504 in its key) is longer than LMDB's DUPSORT DBIs take
        // (511 bytes): it stays in the shadow, and in this instance's snapshots, but not in the DBI.
        assertThat(app.contents().get("domains_0")).containsExactly("zone=0x0102", "zone=0x0103");
        assertThat(app.shadow("domains_0")).containsKey("0x" + "7a7a00000000" + "78".repeat(504) + "02");
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "domains_0")))
                    .isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.DUPSORT | io.thunderstream.engine.lmdb.DbiFlags.DUPFIXED);
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "_sync_shadow_domains_0"))).isZero();
            lmdb.commit(txn);
        }
        assertThat(app.shadow("domains_0").values()).extracting(v -> v.split(" ")[0])
                .containsExactly("1704164645123456779", "1704164645123456780", "1704164645123456781");
        // Merged again: nothing changes, no write transaction.
        long txn = app.lastTxnId();
        assertThat(mode.merge(SnapshotSource.of("again", TestSnapshots.vector("v3-dupsort-hack")), 0).changedAnything())
                .isFalse();
        assertThat(app.lastTxnId()).isEqualTo(txn);
    }

    @Test
    void aMergeGoesThroughTheShadowsIntoTheApplicationDbis() throws Exception {
        ShadowMode mode = open("main", false, Map.of("domains", PLAIN));
        app.put("domains", "a", "1");
        app.put("domains", "c", "gone-remotely");
        mode.start();
        clock.set(1_000);
        app.put("domains", "d", "local-newer");
        mode.syncToShadow();
        app.put("domains", "e", "not-copied-yet");

        byte[] snapshot = TestSnapshots.gzip("main", "other", Dbi.of("domains",
                Kv.of("a", "2", 500), Kv.of("b", "3", 500), Kv.deleted("c", 500), Kv.of("d", "remote-older", 700)),
                Dbi.of("newdbi", Kv.of("n", "1", 500)));
        clock.set(2_000);
        MergeResult result = mode.merge(SnapshotSource.of("s1", snapshot), 0);
        assertThat(result.committedTxnId()).isEqualTo(app.lastTxnId());
        assertThat(app.contents()).containsEntry("domains", List.of("a=2", "b=3", "d=local-newer", "e=not-copied-yet"))
                .containsEntry("newdbi", List.of("n=1"));
        assertThat(app.shadow("domains")).containsEntry("c", "500 1 ").containsEntry("e", "2000 0 not-copied-yet");
    }

    @Test
    void aBadDupsortKeyInASnapshotIsRejectedAndNothingIsApplied() throws Exception {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT, "domains", PLAIN));
        app.put("domains", "a", "1");
        mode.start();
        long before = app.lastTxnId();
        var contents = app.contents();
        byte[] snapshot = TestSnapshots.gzip("main", "other",
                Dbi.of("domains", Kv.of("a", "2", 500)),
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "dupsort_hack_v1",
                        List.of(Kv.of("ab", "v", 500))));
        assertThatThrownBy(() -> mode.merge(SnapshotSource.of("bad", snapshot), 0)).isInstanceOf(MergeException.class)
                .hasMessageContaining("snapshot bad not merged")
                .hasMessageContaining("DBI records, key \"ab\": not a dupsort_hack_v1 key (too short)");
        assertThat(app.lastTxnId()).isEqualTo(before);
        assertThat(app.contents()).isEqualTo(contents);

        byte[] noTransform = TestSnapshots.gzip("main", "other",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "", List.of(Kv.of("abcdef", "v", 500))));
        assertThatThrownBy(() -> mode.merge(SnapshotSource.of("plain", noTransform), 0)).isInstanceOf(MergeException.class)
                .hasMessageContaining("DBI records is DUPSORT but has transform \"\" instead of dupsort_hack_v1");
        assertThat(app.lastTxnId()).isEqualTo(before);
    }

    @Test
    void dropPrivateDbisRemovesTheShadowsAndKeepsTheData() {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT, "domains", PLAIN));
        app.put("records", "k", "v");
        app.put("domains", "a", "1");
        mode.start();
        assertThat(app.dbiNames()).contains("_sync_shadow_records", "_sync_shadow_domains");
        var contents = app.contents();

        assertThat(ShadowMode.dropPrivateDbis(lmdb)).containsExactlyInAnyOrder("_sync_shadow_records", "_sync_shadow_domains");
        assertThat(app.dbiNames()).containsExactlyInAnyOrder("records", "domains");
        assertThat(app.contents()).isEqualTo(contents);
        // As after `thunderstream drop-shadow`: the next syncer process rebuilds the shadows.
        app.close();
        app = PlainLmdb.open(dir.resolve("main"), Map.of("records", DUPSORT, "domains", PLAIN));
        lmdb = LmdbEnvironment.wrap("main", app.env());
        mode(lmdb.name(), true).start();
        assertThat(app.shadow("domains")).containsExactly(Map.entry("a", "1 0 1"));
    }

    @Test
    void aRejectedSnapshotThatCreatedADbiLeavesNothingAndTheNextOneCreatesItAgain() throws Exception {
        ShadowMode mode = open("main", true, Map.of("domains", PLAIN));
        app.put("domains", "a", "1");
        mode.start();
        byte[] bad = TestSnapshots.gzip("main", "other",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "dupsort_hack_v1", List.of(Kv.of("ab", "v", 500))));
        assertThatThrownBy(() -> mode.merge(SnapshotSource.of("bad", bad), 0)).isInstanceOf(MergeException.class);
        assertThat(app.dbiNames()).containsExactlyInAnyOrder("domains", "_sync_shadow_domains");

        byte[] good = TestSnapshots.gzip("main", "other",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "dupsort_hack_v1",
                        List.of(new Kv(new byte[] {'k', 0, 0, 0, 0, 'v', 1}, "v".getBytes(), 500, 0))));
        mode.merge(SnapshotSource.of("good", good), 0);
        assertThat(app.contents().get("records")).containsExactly("k=v");
    }

    @Test
    void aMergeAddsAndRemovesSingleValuesOfADupsortKey() throws Exception {
        ShadowMode mode = open("main", true, Map.of("records", DUPSORT));
        app.put("records", "k", "v1");
        app.put("records", "k", "v2");
        mode.start();
        byte[] snapshot = TestSnapshots.gzip("main", "other",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "dupsort_hack_v1", List.of(
                        new Kv(encoded("k", "v1"), new byte[0], 500, 1),
                        new Kv(encoded("k", "v3"), "v3".getBytes(StandardCharsets.UTF_8), 500, 0))));
        MergeResult result = mode.merge(SnapshotSource.of("s", snapshot), 0);
        assertThat(result.entriesWritten()).isEqualTo(2);
        assertThat(app.contents().get("records")).containsExactly("k=v2", "k=v3");
        // A remote entry older than the local one changes nothing, in the shadow or the DBI.
        byte[] older = TestSnapshots.gzip("main", "other",
                new Dbi("records", io.thunderstream.engine.lmdb.DbiFlags.DUPSORT, "dupsort_hack_v1", List.of(
                        new Kv(encoded("k", "v3"), new byte[0], 400, 1))));
        assertThat(mode.merge(SnapshotSource.of("older", older), 0).changedAnything()).isFalse();
        assertThat(app.contents().get("records")).containsExactly("k=v2", "k=v3");
    }

    @Test
    void aDbiFromAnOldSnapshotNeedsOverrideCreateFlagsAndGetsThem() throws Exception {
        ShadowMode mode = open("main", false, Map.of());
        mode.start();
        SnapshotSource legacy = SnapshotSource.of("v1-legacy", TestSnapshots.vector("v1-legacy"));
        assertThatThrownBy(() -> mode.merge(legacy, 0)).isInstanceOf(MergeException.class)
                .hasMessageContaining("DBI kv does not exist here and a formatVersion 1 snapshot does not tell its real flags")
                .hasMessageContaining("lmdbs.main.dbi_options.kv.override_create_flags");
        assertThat(app.dbiNames()).isEmpty();

        ShadowMode configured = mode("main", false, """
                dbi_options:
                  kv:
                    override_create_flags: MDB_INTEGERKEY
                """);
        configured.start();
        assertThat(configured.merge(legacy, 0).changedAnything()).isTrue();
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "kv"))).isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "_sync_shadow_kv")))
                    .isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            lmdb.commit(txn);
        }
    }

    @Test
    void theV3VectorCreatesItsDbisWithTheirFlagsAndIntegerKeyShadows() throws Exception {
        ShadowMode mode = open("main", false, Map.of());
        mode.start();
        MergeResult result = mode.merge(SnapshotSource.of("v3-basic", TestSnapshots.vector("v3-basic")), 0);
        assertThat(result.entriesRead()).isEqualTo(8);
        try (Txn<ByteBuffer> txn = app.env().txnRead()) {
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "records"))).isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "_sync_shadow_records")))
                    .isEqualTo(io.thunderstream.engine.lmdb.DbiFlags.INTEGERKEY);
            assertThat(LmdbEnvironment.flags(txn, lmdb.dbi(txn, "_sync_shadow_domains"))).isZero();
            lmdb.commit(txn);
        }
        assertThat(app.contents().get("domains")).hasSize(app.shadow("domains").values().stream()
                .filter(v -> v.split(" ")[1].equals("0")).toList().size());
    }

    private static byte[] encoded(String key, String value) {
        ByteBuffer out = DupsortHack.encode(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
                ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), ByteBuffer.allocate(511), "test");
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    private static List<String> entries(DbiSource source) throws Exception {
        List<String> values = new ArrayList<>();
        source.forEachEntry((key, value, ts, flags) -> values.add(StandardCharsets.UTF_8.decode(value.duplicate()).toString()));
        return values;
    }
}
