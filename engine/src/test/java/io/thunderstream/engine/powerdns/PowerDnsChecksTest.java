package io.thunderstream.engine.powerdns;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.testing.PlainLmdb;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.DbiFlags;

/** The zone-id check on LMDBs laid out as PowerDNS writes its main database: 4.8+ ({@code domains_v5}) and 4.7. */
class PowerDnsChecksTest {

    private static final Map<String, DbiFlags[]> POWERDNS_49 = Map.of("domains_v5", new DbiFlags[0], "pdns", new DbiFlags[0]);

    @TempDir
    Path dir;

    @Test
    void sequentialZoneIdsAreWarnedAbout() {
        assertThat(zoneIdCheck(1, 2, 3)).hasValue("lmdb main: the zone ids in DBI domains_v5 (3 zones) go up to only 3: PowerDNS"
                + " seems to run without lmdb-lightning-stream=yes, so it numbers zones 1, 2, 3 on every server and deletes"
                + " without tombstones, and deletions do not sync; set lmdb-lightning-stream=yes in pdns.conf (docs/powerdns.md)");
        assertThat(zoneIdCheck(7, 102)).as("some zones deleted since").isPresent();
        assertThat(zoneIdCheck(1)).get().asString().startsWith("lmdb main: the zone ids in DBI domains_v5 (1 zone) go up to only 1:");
    }

    @Test
    void randomZoneIdsAndOtherLayoutsAreNot() {
        assertThat(zoneIdCheck(0x6a1035d0)).isEmpty();
        assertThat(zoneIdCheck(3, 0x6a1035d0)).as("zones from before lmdb-lightning-stream=yes, and after").isEmpty();
        assertThat(zoneIdCheck(1, 105)).as("more deleted than kept").isEmpty();
        assertThat(zoneIdCheck()).as("no zone yet").isEmpty();
        try (PlainLmdb app = PlainLmdb.open(dir.resolve("other"), POWERDNS_49)) {
            app.put("domains_v5", "a-name", "v");
            assertThat(PowerDnsChecks.sequentialZoneIds(LmdbEnvironment.wrap("other", app.env()))).isEmpty();
        }
        try (PlainLmdb app = PlainLmdb.open(dir.resolve("none"), Map.of("domains_v5", new DbiFlags[0]))) {
            app.put("domains_v5", new byte[] {0, 0, 0, 1}, new byte[] {1});
            assertThat(PowerDnsChecks.sequentialZoneIds(LmdbEnvironment.wrap("none", app.env())))
                    .as("not PowerDNS's: no DBI pdns").isEmpty();
        }
    }

    /** PowerDNS 4.7: DBI domains is INTEGERKEY, its ids in the machine's byte order. */
    @Test
    void sequentialZoneIdsOfPowerDns47AreWarnedAbout() {
        try (PlainLmdb app = PlainLmdb.open(dir.resolve("pdns47"),
                Map.of("domains", new DbiFlags[] {DbiFlags.MDB_INTEGERKEY}, "pdns", new DbiFlags[0]))) {
            for (int id = 1; id <= 2; id++) {
                app.put("domains", ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(id).array(), new byte[] {1});
            }
            assertThat(PowerDnsChecks.sequentialZoneIds(LmdbEnvironment.wrap("main", app.env()))).hasValue("lmdb main: the"
                    + " zone ids in DBI domains (2 zones) go up to only 2: PowerDNS seems to run without lmdb-random-ids=yes,"
                    + " so it numbers zones 1, 2, 3 on every server and a zone created on two servers under one id overwrites"
                    + " the other; set lmdb-random-ids=yes in pdns.conf (docs/powerdns.md)");
        }
    }

    private Optional<String> zoneIdCheck(int... ids) {
        try (PlainLmdb app = PlainLmdb.open(dir.resolve("main" + ids.length + "-" + (ids.length > 0 ? ids[ids.length - 1] : 0)),
                POWERDNS_49)) {
            for (int id : ids) {
                app.put("domains_v5", ByteBuffer.allocate(4).putInt(id).array(), new byte[] {1});
            }
            return PowerDnsChecks.sequentialZoneIds(LmdbEnvironment.wrap("main", app.env()));
        }
    }
}
