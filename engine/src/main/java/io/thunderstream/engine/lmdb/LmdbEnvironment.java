package io.thunderstream.engine.lmdb;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.LmdbOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * One LMDB environment as the syncer uses it: opened from its config (or handed over by an
 * application that has it open already, since LMDB forbids opening an environment twice in one
 * process), with a cache of DBI handles.
 *
 * <p>LMDB allows only one transaction at a time to open DBI handles, and a handle opened in a
 * transaction that aborts is gone; so handles are opened here only, under a lock, in short
 * transactions of their own, and kept for the life of the environment.
 */
public final class LmdbEnvironment implements AutoCloseable {

    /** DBIs whose names start with this belong to the syncer: never snapshotted, never merged. */
    public static final String PRIVATE_DBI_PREFIX = "_sync";

    private final String name;
    private final Env<ByteBuffer> env;
    private final boolean owned;
    private final Map<String, Dbi<ByteBuffer>> dbis = new HashMap<>();

    private LmdbEnvironment(String name, Env<ByteBuffer> env, boolean owned) {
        this.name = name;
        this.env = env;
        this.owned = owned;
    }

    /** Opens (or with {@code create}, creates) the environment of {@code config}. */
    public static LmdbEnvironment open(LmdbConfig config) {
        LmdbOptions options = config.options();
        Path path = Path.of(config.path());
        Path dir = options.noSubdir() ? path.toAbsolutePath().getParent() : path;
        Path dataFile = options.noSubdir() ? path : path.resolve("data.mdb");
        if (!Files.exists(dataFile) && !options.create()) {
            throw new LmdbEnvironmentException(config.name(), "no LMDB at " + dataFile
                    + "; set lmdbs." + config.name() + ".options.create: true to create it");
        }
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                setMode(dir, options.dirMask());
            }
        } catch (IOException e) {
            throw new LmdbEnvironmentException(config.name(), "cannot create directory " + dir + ": " + e.getMessage(), e);
        }
        EnumSet<EnvFlags> flags = EnumSet.noneOf(EnvFlags.class);
        if (options.noSubdir()) {
            flags.add(EnvFlags.MDB_NOSUBDIR);
        }
        // Read transactions are used from other threads than the ones that opened them (the sender's encoder thread).
        flags.add(EnvFlags.MDB_NOTLS);
        try {
            Env<ByteBuffer> env = Env.create()
                    .setMapSize(options.mapSizeForOpen())
                    .setMaxDbs(options.maxDbs())
                    .setMaxReaders(126)
                    .open(path.toFile(), options.fileMask(), flags.toArray(EnvFlags[]::new));
            return new LmdbEnvironment(config.name(), env, true);
        } catch (LmdbException e) {
            throw new LmdbEnvironmentException(config.name(), "cannot open LMDB at " + path + ": " + e.getMessage(), e);
        }
    }

    /** Uses an environment the application has open already; {@link #close()} leaves it open. */
    public static LmdbEnvironment wrap(String name, Env<ByteBuffer> env) {
        return new LmdbEnvironment(name, env, false);
    }

    /** The LMDB's name in the config ({@code main}, {@code shard}). */
    public String name() {
        return name;
    }

    public Env<ByteBuffer> env() {
        return env;
    }

    /** The id of the last committed write transaction; an empty write transaction does not advance it. */
    public long lastTxnId() {
        return env.info().lastTransactionId;
    }

    /** The names of all named DBIs, private ones included, read in {@code txn}. */
    public List<String> dbiNames(Txn<ByteBuffer> txn) {
        Dbi<ByteBuffer> main = dbi(null);
        List<String> names = new ArrayList<>();
        try (var cursor = main.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer key = cursor.key();
                byte[] bytes = new byte[key.remaining()];
                key.get(bytes);
                names.add(new String(bytes, StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    /** The handle of an existing DBI ({@code null}: the unnamed main DBI), or null when there is no such DBI. */
    public synchronized Dbi<ByteBuffer> dbi(String dbiName) {
        Dbi<ByteBuffer> dbi = dbis.get(dbiName);
        if (dbi != null) {
            return dbi;
        }
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            dbi = env.openDbi(txn, dbiName == null ? null : dbiName.getBytes(StandardCharsets.UTF_8), null, false);
            txn.commit();
        } catch (LmdbException e) {
            if (e instanceof Dbi.DbiFullException) {
                throw new LmdbEnvironmentException(name, "too many DBIs; raise lmdbs." + name + ".options.max_dbs", e);
            }
            if (e instanceof org.lmdbjava.Dbi.KeyNotFoundException || e.getMessage() != null && e.getMessage().contains("MDB_NOTFOUND")) {
                return null;
            }
            throw e;
        }
        dbis.put(dbiName, dbi);
        return dbi;
    }

    /**
     * Creates a DBI with LMDB flags {@code flags} (see {@link DbiFlags}) in its own write
     * transaction, or returns the existing one.
     */
    public synchronized Dbi<ByteBuffer> createDbi(String dbiName, int flags) {
        Dbi<ByteBuffer> existing = dbi(dbiName);
        if (existing != null) {
            return existing;
        }
        Set<org.lmdbjava.DbiFlags> lmdbFlags = EnumSet.of(org.lmdbjava.DbiFlags.MDB_CREATE);
        lmdbFlags.addAll(DbiFlags.toLmdbjava(flags));
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            Dbi<ByteBuffer> dbi = env.openDbi(txn, dbiName.getBytes(StandardCharsets.UTF_8), null, false,
                    lmdbFlags.toArray(org.lmdbjava.DbiFlags[]::new));
            txn.commit();
            dbis.put(dbiName, dbi);
            return dbi;
        }
    }

    /** The LMDB flags of {@code dbi}, as the bits of {@link DbiFlags}. */
    public static int flags(Txn<ByteBuffer> txn, Dbi<ByteBuffer> dbi) {
        int bits = 0;
        for (org.lmdbjava.DbiFlags f : dbi.listFlags(txn)) {
            bits |= f.getMask();
        }
        return bits & DbiFlags.SYNCED_MASK;
    }

    public static boolean isPrivate(String dbiName) {
        return dbiName.startsWith(PRIVATE_DBI_PREFIX);
    }

    @Override
    public void close() {
        if (owned) {
            env.close();
        }
    }

    private static void setMode(Path path, int mask) {
        try {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(toRwx(mask));
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX filesystem: nothing to set.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String toRwx(int mode) {
        StringBuilder s = new StringBuilder(9);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = mode >> shift;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }
}
