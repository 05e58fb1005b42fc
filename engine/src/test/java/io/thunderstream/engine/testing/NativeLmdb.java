package io.thunderstream.engine.testing;

import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * A native-mode LMDB as an application such as PowerDNS 4.8+ writes it: every value starts with
 * the Lightning Stream header, deletes are tombstones. For tests.
 */
public final class NativeLmdb implements AutoCloseable {

    /** One entry as the syncer sees it; the header's txn id (local meaning only) is left out. */
    public record Entry(long timestampNano, int flags, String valueHex) {
    }

    private final Path dir;
    private final Env<ByteBuffer> env;
    private final LmdbEnvironment lmdb;
    private final Map<String, Dbi<ByteBuffer>> dbis = new java.util.concurrent.ConcurrentHashMap<>();

    private NativeLmdb(Path dir, String... dbiNames) {
        this.dir = dir;
        dir.toFile().mkdirs();
        this.env = Env.create().setMapSize(256L << 20).setMaxDbs(32).setMaxReaders(64).open(dir.toFile(), EnvFlags.MDB_NOTLS);
        this.lmdb = LmdbEnvironment.wrap("main", env);
        for (String name : dbiNames) {
            dbis.put(name, env.openDbi(name, DbiFlags.MDB_CREATE));
        }
    }

    /**
     * Opens (creating) an LMDB with the given DBIs. LMDB allows one thread at a time to open DBI
     * handles in a process, so a test that runs a syncer on this environment opens every DBI it
     * writes here, before the syncer starts.
     */
    public static NativeLmdb open(Path dir, String... dbiNames) {
        return new NativeLmdb(dir, dbiNames);
    }

    public Env<ByteBuffer> env() {
        return env;
    }

    /** The same environment as the engine sees it, named {@code main} as in the tests' configs. */
    public LmdbEnvironment lmdb() {
        return lmdb;
    }

    public Path dir() {
        return dir;
    }

    public long lastTxnId() {
        return env.info().lastTransactionId;
    }

    public void put(String dbi, String key, String value, long timestampNano) {
        write(dbi, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), timestampNano, 0);
    }

    public void delete(String dbi, String key, long timestampNano) {
        write(dbi, key.getBytes(StandardCharsets.UTF_8), new byte[0], timestampNano, ValueHeader.FLAG_DELETED);
    }

    /** Writes header + value in a write transaction of its own, as the application would. */
    public void write(String dbiName, byte[] key, byte[] value, long timestampNano, int flags) {
        Dbi<ByteBuffer> dbi = dbis.computeIfAbsent(dbiName, n -> env.openDbi(n, DbiFlags.MDB_CREATE));
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer k = ByteBuffer.allocateDirect(key.length).put(key).flip();
            ByteBuffer v = ByteBuffer.allocateDirect(ValueHeader.SIZE + value.length);
            ValueHeader.write(v, timestampNano, txn.getId(), flags);
            v.put(value).flip();
            dbi.put(txn, k, v);
            txn.commit();
        }
    }

    /** Every entry of every DBI but the private ones: DBI -> key (hex) -> entry. */
    public Map<String, Map<String, Entry>> contents() {
        Map<String, Map<String, Entry>> out = new TreeMap<>();
        for (byte[] name : env.getDbiNames()) {
            String dbiName = new String(name, StandardCharsets.UTF_8);
            if (dbiName.startsWith("_sync")) {
                continue;
            }
            Map<String, Entry> entries = new TreeMap<>();
            Dbi<ByteBuffer> dbi = dbis.computeIfAbsent(dbiName, n -> env.openDbi(name));
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                for (boolean more = c.first(); more; more = c.next()) {
                    ByteBuffer v = c.val();
                    int headerLength = ValueHeader.length(v, dbiName, c.key());
                    long ts = ValueHeader.timestampNano(v);
                    int flags = ValueHeader.flags(v);
                    v.position(v.position() + headerLength);
                    entries.put(hex(c.key()), new Entry(ts, flags, hex(v)));
                }
            }
            out.put(dbiName, entries);
        }
        return out;
    }

    /** The application value of a key, null when absent or deleted. */
    public String get(String dbi, String key) {
        Entry e = contents().getOrDefault(dbi, Map.of()).get(HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8)));
        if (e == null || (e.flags() & ValueHeader.FLAG_DELETED) != 0) {
            return null;
        }
        return new String(HexFormat.of().parseHex(e.valueHex()), StandardCharsets.UTF_8);
    }

    private static String hex(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        env.close();
    }
}
