package io.thunderstream.engine.shadow;

import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.lmdb.ValueHeaderException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/**
 * Recognizes the DBIs of PowerDNS 4.8 and later (schema version 5), whose values carry the
 * Lightning Stream header already, for shadow mode to refuse them before it shadows them: the
 * shadows would take the headers for data, and every peer would write them into PowerDNS's
 * values. Typically PowerDNS was upgraded under a shadow-mode syncer, or the config is 4.7's.
 * 4.8 names its DBIs {@code records_v5}, {@code domains_v5_0}, ... (4.7: {@code records},
 * {@code domains_0}) and stores its schema version in DBI {@code pdns} after a header, big-endian
 * (4.7: a bare little-endian 4). A DBI a merge brought has its shadow already and is not looked at.
 */
final class NativePowerDns {

    private static final String SETTINGS_DBI = "pdns";
    private static final byte[] SCHEMA_VERSION_KEY = "schemaversion".getBytes(StandardCharsets.US_ASCII);
    /** From this schema version (PowerDNS 4.8) PowerDNS writes the headers itself. */
    private static final int NATIVE_SCHEMA_VERSION = 5;
    /** PowerDNS's DBIs of a schema version: records_v5, domains_v5, domains_v5_0, ... */
    private static final Pattern VERSIONED_DBI = Pattern.compile("(records|domains|keydata|metadata|tsig)_v(\\d{1,3})(_\\d+)?");

    private NativePowerDns() {
    }

    /** Throws when application DBI {@code name} of LMDB {@code lmdbName}, not shadowed yet, is PowerDNS 4.8's or later's. */
    static void refuse(String lmdbName, Txn<ByteBuffer> txn, String name, Dbi<ByteBuffer> dbi) {
        Matcher versioned = VERSIONED_DBI.matcher(name);
        if (versioned.matches() && Integer.parseInt(versioned.group(2)) >= NATIVE_SCHEMA_VERSION) {
            throw refused(lmdbName, "DBI " + name + " is PowerDNS 4.8's or later's");
        }
        if (name.equals(SETTINGS_DBI)) {
            int version = schemaVersionWithHeader(txn, dbi);
            if (version >= NATIVE_SCHEMA_VERSION) {
                throw refused(lmdbName, "DBI " + name + " holds schemaversion " + version + " with a Lightning Stream header");
            }
        }
    }

    /** The schema version when stored after a Lightning Stream header, else 0. */
    private static int schemaVersionWithHeader(Txn<ByteBuffer> txn, Dbi<ByteBuffer> settings) {
        ByteBuffer key = ByteBuffer.allocateDirect(SCHEMA_VERSION_KEY.length).put(SCHEMA_VERSION_KEY).flip();
        ByteBuffer value = settings.get(txn, key);
        if (value == null || value.remaining() != ValueHeader.SIZE + Integer.BYTES) {
            return 0;
        }
        try {
            ValueHeader.length(value, SETTINGS_DBI, key);
        } catch (ValueHeaderException e) {
            return 0;
        }
        return value.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(value.position() + ValueHeader.SIZE);
    }

    private static ConfigException refused(String lmdbName, String evidence) {
        return new ConfigException("lmdbs." + lmdbName + ".schema_tracks_changes: false (shadow mode), but " + evidence
                + ": PowerDNS 4.8 or later writes the headers itself; set schema_tracks_changes: true"
                + " (see docs/powerdns.md, From PowerDNS 4.7 to 4.8)");
    }
}
