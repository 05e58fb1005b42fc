package io.thunderstream.engine.testing;

import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.shadow.ShadowMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * An LMDB as an application without Lightning Stream headers writes it (PowerDNS 4.7): plain
 * values, real deletes, DUPSORT DBIs with many values per key. For shadow-mode tests.
 */
public final class PlainLmdb implements AutoCloseable {

    private final Path dir;
    private final Env<ByteBuffer> env;
    private final Map<String, Dbi<ByteBuffer>> dbis = new ConcurrentHashMap<>();

    private PlainLmdb(Path dir, Map<String, DbiFlags[]> dbiFlags) {
        this.dir = dir;
        dir.toFile().mkdirs();
        this.env = Env.create().setMapSize(256L << 20).setMaxDbs(32).setMaxReaders(64).open(dir.toFile(), EnvFlags.MDB_NOTLS);
        dbiFlags.forEach((name, flags) -> {
            DbiFlags[] all = java.util.Arrays.copyOf(flags, flags.length + 1);
            all[flags.length] = DbiFlags.MDB_CREATE;
            dbis.put(name, env.openDbi(name, all));
        });
    }

    /**
     * Opens (creating) an LMDB with the given DBIs and their flags. As with {@link NativeLmdb}, a
     * test opens here every DBI it will write or read before a syncer runs on the environment.
     */
    public static PlainLmdb open(Path dir, Map<String, DbiFlags[]> dbis) {
        return new PlainLmdb(dir, dbis);
    }

    public Env<ByteBuffer> env() {
        return env;
    }

    public Path dir() {
        return dir;
    }

    public long lastTxnId() {
        return env.info().lastTransactionId;
    }

    /** Adds {@code value} (in a DUPSORT DBI: one more value of the key), in a transaction of its own. */
    public void put(String dbi, String key, String value) {
        put(dbi, bytes(key), bytes(value));
    }

    public void put(String dbi, byte[] key, byte[] value) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            dbis.get(dbi).put(txn, direct(key), direct(value));
            txn.commit();
        }
    }

    /** Deletes the key with all its values. */
    public void delete(String dbi, String key) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            dbis.get(dbi).delete(txn, direct(bytes(key)));
            txn.commit();
        }
    }

    /** Deletes one value of a key in a DUPSORT DBI. */
    public void delete(String dbi, String key, String value) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            dbis.get(dbi).delete(txn, direct(bytes(key)), direct(bytes(value)));
            txn.commit();
        }
    }

    /** Every entry of every DBI but the private ones, as {@code key=value} text (hex when not printable), in LMDB order. */
    public Map<String, List<String>> contents() {
        Map<String, List<String>> out = new TreeMap<>();
        for (byte[] name : env.getDbiNames()) {
            String dbiName = new String(name, StandardCharsets.UTF_8);
            if (dbiName.startsWith("_sync")) {
                continue;
            }
            Dbi<ByteBuffer> dbi = dbis.computeIfAbsent(dbiName, n -> env.openDbi(name));
            List<String> entries = new ArrayList<>();
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                for (boolean more = c.first(); more; more = c.next()) {
                    entries.add(text(c.key()) + "=" + text(c.val()));
                }
            }
            out.put(dbiName, entries);
        }
        return out;
    }

    /** A shadow DBI's entries: key text -> "ts flags value" (the txn id field is local and left out). */
    public Map<String, String> shadow(String dbi) {
        String shadowName = ShadowMode.shadowName(dbi);
        Dbi<ByteBuffer> handle = dbis.computeIfAbsent(shadowName, n -> env.openDbi(bytes(n)));
        Map<String, String> out = new LinkedHashMap<>();
        try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = handle.openCursor(txn)) {
            for (boolean more = c.first(); more; more = c.next()) {
                ByteBuffer v = c.val();
                int h = ValueHeader.length(v, dbi, c.key());
                String head = ValueHeader.timestampNano(v) + " " + ValueHeader.flags(v) + " ";
                v.position(v.position() + h);
                out.put(text(c.key()), head + text(v));
            }
        }
        return out;
    }

    /** The names of all DBIs, private ones included. */
    public List<String> dbiNames() {
        return env.getDbiNames().stream().map(n -> new String(n, StandardCharsets.UTF_8)).toList();
    }

    private static String text(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        for (byte x : bytes) {
            if (x < 0x20 || x >= 0x7f) {
                return "0x" + HexFormat.of().formatHex(bytes);
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer direct(byte[] b) {
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    @Override
    public void close() {
        env.close();
    }
}
