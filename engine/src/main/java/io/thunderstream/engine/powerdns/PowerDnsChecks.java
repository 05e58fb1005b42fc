package io.thunderstream.engine.powerdns;

import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * What the syncer knows of PowerDNS Authoritative's LMDB layout, to catch the configurations that
 * would sync it wrong without an error of their own.
 *
 * <p>Every version keeps its settings in DBI {@code pdns} of the main LMDB. PowerDNS 4.8 and
 * later (schema version 5) name their DBIs {@code records_v5}, {@code domains_v5_0}, ... (4.7:
 * {@code records}, {@code domains_0}), all of them made at the first start, and key
 * {@code domains_v5} by the zone's 4-byte id, big-endian (4.7: {@code domains}, an INTEGERKEY
 * DBI, in the machine's byte order).
 */
public final class PowerDnsChecks {

    private static final String SETTINGS_DBI = "pdns";
    /** From this schema version (PowerDNS 4.8) PowerDNS writes the headers itself. */
    private static final int NATIVE_SCHEMA_VERSION = 5;
    /** PowerDNS's DBIs of a schema version: records_v5, domains_v5, domains_v5_0, ... */
    private static final Pattern VERSIONED_DBI = Pattern.compile("(records|domains|keydata|metadata|tsig)_v(\\d{1,3})(_\\d+)?");
    /** The DBIs of zones by id, newest schema first. */
    private static final List<ZoneIds> ZONE_IDS = List.of(
            new ZoneIds("domains_v5", ByteOrder.BIG_ENDIAN, "lmdb-lightning-stream=yes",
                    "deletes without tombstones, and deletions do not sync"),
            new ZoneIds("domains", ByteOrder.nativeOrder(), "lmdb-random-ids=yes",
                    "a zone created on two servers under one id overwrites the other"));

    /** Where a PowerDNS version keeps its zones by id, and the pdns.conf setting that makes the ids random. */
    private record ZoneIds(String dbi, ByteOrder order, String setting, String withoutIt) {
    }

    private PowerDnsChecks() {
    }

    /**
     * Throws when application DBI {@code name}, about to be shadowed for the first time, is
     * PowerDNS 4.8's or later's: its values carry the headers already, which the shadow would take
     * for data, and every peer would write into PowerDNS's values. Typically PowerDNS was upgraded
     * under a shadow-mode syncer, or the config is 4.7's. (A DBI a merge brought has its shadow
     * already, and is not looked at.)
     */
    public static void refuseInShadowMode(String lmdbName, String name) {
        Matcher versioned = VERSIONED_DBI.matcher(name);
        if (versioned.matches() && Integer.parseInt(versioned.group(2)) >= NATIVE_SCHEMA_VERSION) {
            throw new ConfigException("lmdbs." + lmdbName + ".schema_tracks_changes: false (shadow mode), but DBI " + name
                    + " is PowerDNS 4.8's or later's: PowerDNS 4.8 or later writes the headers itself; set"
                    + " schema_tracks_changes: true (see docs/powerdns.md, From PowerDNS 4.7 to 4.8)");
        }
    }

    /**
     * A warning when the zone ids are sequential (all of them at most twice their count plus 100;
     * random ids (31 bits and more) are that small with a chance of about 1 in 20 million for one zone, less
     * for more): PowerDNS runs without the setting that makes them random ({@code
     * lmdb-lightning-stream=yes} from 4.8, {@code lmdb-random-ids=yes} in 4.7), so every server
     * numbers its zones 1, 2, 3. Empty when the LMDB is not PowerDNS's main one (no DBI
     * {@code pdns}) or the ids look right.
     */
    public static Optional<String> sequentialZoneIds(LmdbEnvironment lmdb) {
        Txn<ByteBuffer> txn = lmdb.env().txnRead();
        try {
            Optional<String> warning = sequentialZoneIds(lmdb, txn);
            lmdb.commit(txn); // read-only: keeps the DBI handles for the syncer
            return warning;
        } finally {
            lmdb.abort(txn);
        }
    }

    private static Optional<String> sequentialZoneIds(LmdbEnvironment lmdb, Txn<ByteBuffer> txn) {
        if (lmdb.dbi(txn, SETTINGS_DBI) == null) {
            return Optional.empty();
        }
        for (ZoneIds zoneIds : ZONE_IDS) {
            Dbi<ByteBuffer> zones = lmdb.dbi(txn, zoneIds.dbi());
            if (zones != null) {
                return sequentialZoneIds(lmdb.name(), txn, zones, zoneIds);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> sequentialZoneIds(String lmdbName, Txn<ByteBuffer> txn, Dbi<ByteBuffer> zones,
            ZoneIds zoneIds) {
        long count = 0;
        long maxId = 0;
        try (Cursor<ByteBuffer> cursor = zones.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer key = cursor.key();
                if (key.remaining() != Integer.BYTES) {
                    return Optional.empty(); // not PowerDNS's layout
                }
                count++;
                maxId = Math.max(maxId, Integer.toUnsignedLong(key.duplicate().order(zoneIds.order()).getInt(key.position())));
            }
        }
        if (count == 0 || maxId > 2 * count + 100) {
            return Optional.empty();
        }
        return Optional.of("lmdb " + lmdbName + ": the zone ids in DBI " + zoneIds.dbi() + " (" + count
                + (count == 1 ? " zone" : " zones") + ") go up to only " + maxId + ": PowerDNS seems to run without "
                + zoneIds.setting() + ", so it numbers zones 1, 2, 3 on every server and " + zoneIds.withoutIt() + "; set "
                + zoneIds.setting() + " in pdns.conf (docs/powerdns.md)");
    }
}
