package io.thunderstream.engine.lmdb;

import io.thunderstream.api.FileErrors;
import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.LmdbOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.TargetName;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One LMDB environment as the syncer uses it: opened from its config (or handed over by an
 * application that has it open already, since LMDB forbids opening an environment twice in one
 * process), with a cache of DBI handles.
 *
 * <p>A DBI handle can be used only by transactions that began after it was opened, or by the
 * transaction that opened it; and LMDB closes it again when that transaction aborts. So handles
 * are opened here, in the transaction that needs them, and kept for the life of the environment
 * once that transaction ends with {@link #commit}; {@link #abort} forgets them. Per environment,
 * one thread at a time opens handles (the syncer's loop does its merges and snapshots in turn).
 */
public final class LmdbEnvironment implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LmdbEnvironment.class);

    /** DBIs whose names start with this belong to the syncer: never snapshotted, never merged. */
    public static final String PRIVATE_DBI_PREFIX = "_sync";

    /** The DBI flags that describe a DBI's layout, as snapshots carry them. */
    private static final int SYNCED_FLAGS = DbiFlags.REVERSEKEY | DbiFlags.DUPSORT | DbiFlags.INTEGERKEY
            | DbiFlags.DUPFIXED | DbiFlags.INTEGERDUP | DbiFlags.REVERSEDUP;

    /** errno of "permission denied", on Linux as on the BSDs and macOS. */
    private static final int EACCES = 13;

    private final String name;
    private final Env<ByteBuffer> env;
    private final boolean owned;
    private final Map<String, Dbi<ByteBuffer>> dbis = new HashMap<>();
    private final Map<Txn<ByteBuffer>, List<String>> openedIn = new java.util.IdentityHashMap<>();

    private LmdbEnvironment(String name, Env<ByteBuffer> env, boolean owned) {
        this.name = name;
        this.env = env;
        this.owned = owned;
    }

    /**
     * Opens (or with {@code create}, creates) the environment of {@code config}. A path of the other
     * kind (a file, or with {@code no_subdir} a directory) is a {@link ConfigException}.
     */
    public static LmdbEnvironment open(LmdbConfig config) {
        return open(config, config.options().create());
    }

    /**
     * Opens the environment of {@code config} as it is, for a command that looks at or mends one:
     * whatever {@code create} says, a missing one is an error and map_size 0 keeps the file's map.
     */
    public static LmdbEnvironment openExisting(LmdbConfig config) {
        return open(config, false);
    }

    private static LmdbEnvironment open(LmdbConfig config, boolean create) {
        LmdbOptions options = config.options();
        Path path = Path.of(config.path());
        Path dir = options.noSubdir() ? path.toAbsolutePath().getParent() : path;
        Path dataFile = config.dataFile();
        checkKind(config, path);
        if (!Files.exists(dataFile) && !create) {
            throw new LmdbEnvironmentException(config.name(), "no LMDB at " + dataFile + (options.create() ? ""
                    : "; set lmdbs." + config.name() + ".options.create: true to create it"));
        }
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                setMode(dir, options.dirMask());
            }
        } catch (IOException e) {
            throw new LmdbEnvironmentException(config.name(), "cannot create directory " + FileErrors.describe(dir, e), e);
        }
        EnumSet<EnvFlags> flags = EnumSet.noneOf(EnvFlags.class);
        if (options.noSubdir()) {
            flags.add(EnvFlags.MDB_NOSUBDIR);
        }
        // Read transactions are used from other threads than the ones that opened them (the sender's encoder thread).
        flags.add(EnvFlags.MDB_NOTLS);
        try {
            Env<ByteBuffer> env = Env.create()
                    .setMapSize(create ? options.mapSizeForOpen() : options.mapSize())
                    .setMaxDbs(options.maxDbs())
                    .setMaxReaders(126)
                    .open(path.toFile(), options.fileMask(), flags.toArray(EnvFlags[]::new));
            mapTooSmall(config, env).ifPresent(log::warn);
            return new LmdbEnvironment(config.name(), env, true);
        } catch (LmdbException e) {
            throw new LmdbEnvironmentException(config.name(), "cannot open LMDB at " + path + ": " + whyNotOpened(config, dir, e), e);
        } catch (LinkageError e) {
            // lmdbjava loads LMDB's C library at its first use: this open, or the failed first one before it
            throw new LmdbEnvironmentException(config.name(), nativeLibraryNotLoaded(e), e);
        }
    }

    /** Why (the innermost cause: jnr-ffi and jffi wrap it) and which library, as far as it was picked. */
    private static String nativeLibraryNotLoaded(LinkageError e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        String named = System.getProperty(TargetName.LMDB_NATIVE_LIB_PROP);
        return "cannot load the native libraries of lmdbjava (" + String.valueOf(cause.getMessage()).lines().findFirst().orElse("")
                + "): " + (named != null ? "-D" + TargetName.LMDB_NATIVE_LIB_PROP + " names " + named + "; " : "")
                + "bin/thunderstream loads them from lib/native/, without it they are copied to java.io.tmpdir, "
                + System.getProperty("java.io.tmpdir") + ", which must let them run (not mounted noexec)";
    }

    /**
     * A warning when the configured map is smaller than the data: LMDB raises it to the data's
     * size, which leaves no room for a write, so it is not the application's (PowerDNS:
     * lmdb-map-size).
     */
    static Optional<String> mapTooSmall(LmdbConfig config, Env<ByteBuffer> env) {
        long mapSize = config.options().mapSize();
        long used = (env.info().lastPageNumber + 1) * env.stat().pageSize;
        if (mapSize == 0 || used <= mapSize) {
            return Optional.empty();
        }
        return Optional.of("lmdb " + config.name() + ": lmdbs." + config.name() + ".options.map_size is " + mapSize
                + " bytes, but the data takes " + used + " already: the next write will find the LMDB full; set it to"
                + " the application's map size (PowerDNS: lmdb-map-size)");
    }

    /**
     * A path of the other kind than {@code no_subdir} says is a mistake in the config; told before
     * LMDB fails on it with EISDIR or ENOTDIR, or leaves a stray {@code <path>-lock} beside a directory.
     */
    private static void checkKind(LmdbConfig config, Path path) {
        String at = "lmdbs." + config.name() + ".path " + path;
        if (!config.options().noSubdir() && Files.isRegularFile(path)) {
            throw new ConfigException(at + " is a file, not a directory (set options.no_subdir: true if it is the data file)");
        }
        if (config.options().noSubdir() && Files.isDirectory(path)) {
            throw new ConfigException(at + " is a directory; with options.no_subdir: true it must be the data file"
                    + " (set no_subdir: false if the directory holds data.mdb)");
        }
    }

    /**
     * LMDB's reason; for EACCES, which file this process may not read and write: the lock file,
     * the data file, or the directory that one of them is to be created in.
     */
    private static String whyNotOpened(LmdbConfig config, Path dir, LmdbException e) {
        if (e instanceof LmdbNativeException error && error.getResultCode() == EACCES) {
            Path lockFile = config.options().noSubdir() ? Path.of(config.path() + "-lock") : dir.resolve("lock.mdb");
            for (Path file : List.of(lockFile, config.dataFile())) {
                Path denied = Files.exists(file) ? (Files.isReadable(file) && Files.isWritable(file) ? null : file)
                        : (Files.isWritable(dir) ? null : dir);
                if (denied != null) {
                    return FileErrors.describe(new AccessDeniedException(denied.toString()));
                }
            }
        }
        return e.getMessage();
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
        Dbi<ByteBuffer> main = dbi(txn, null);
        List<String> names = new ArrayList<>();
        try (var cursor = main.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                names.add(StandardCharsets.UTF_8.decode(cursor.key()).toString());
            }
        }
        return names;
    }

    /**
     * The handle of an existing DBI ({@code null} name: the unnamed main DBI), opened in
     * {@code txn} if it is not open yet; null when there is no such DBI. A transaction that went
     * through here must end with {@link #commit} or {@link #abort}.
     */
    public synchronized Dbi<ByteBuffer> dbi(Txn<ByteBuffer> txn, String dbiName) {
        Dbi<ByteBuffer> dbi = dbis.get(dbiName);
        if (dbi != null) {
            return dbi;
        }
        try {
            dbi = env.openDbi(txn, dbiName == null ? null : dbiName.getBytes(StandardCharsets.UTF_8), null, false);
        } catch (Dbi.KeyNotFoundException e) {
            return null;
        } catch (Dbi.DbFullException e) {
            throw tooManyDbis(e);
        }
        opened(txn, dbiName, dbi);
        return dbi;
    }

    /**
     * Creates a DBI with LMDB flags {@code flags} (see {@link DbiFlags}) in the write transaction
     * {@code txn}, or returns the existing one. The transaction must end with {@link #commit} or
     * {@link #abort}.
     */
    public synchronized Dbi<ByteBuffer> createDbi(Txn<ByteBuffer> txn, String dbiName, int flags) {
        Dbi<ByteBuffer> existing = dbi(txn, dbiName);
        if (existing != null) {
            return existing;
        }
        Set<org.lmdbjava.DbiFlags> lmdbFlags = EnumSet.of(org.lmdbjava.DbiFlags.MDB_CREATE);
        for (org.lmdbjava.DbiFlags f : org.lmdbjava.DbiFlags.values()) {
            if (f.isPropagatedToLmdb() && (flags & f.getMask() & SYNCED_FLAGS) != 0) {
                lmdbFlags.add(f);
            }
        }
        try {
            Dbi<ByteBuffer> dbi = env.openDbi(txn, dbiName.getBytes(StandardCharsets.UTF_8), null, false,
                    lmdbFlags.toArray(org.lmdbjava.DbiFlags[]::new));
            opened(txn, dbiName, dbi);
            return dbi;
        } catch (Dbi.DbFullException e) {
            throw tooManyDbis(e);
        }
    }

    /** Deletes DBI {@code dbiName} in the write transaction {@code txn}; LMDB closes its handle at once, so it is forgotten. */
    public synchronized void dropDbi(Txn<ByteBuffer> txn, String dbiName) {
        Dbi<ByteBuffer> dbi = dbi(txn, dbiName);
        if (dbi != null) {
            dbi.drop(txn, true);
            dbis.remove(dbiName);
        }
    }

    private void opened(Txn<ByteBuffer> txn, String dbiName, Dbi<ByteBuffer> dbi) {
        dbis.put(dbiName, dbi);
        openedIn.computeIfAbsent(txn, t -> new ArrayList<>()).add(dbiName);
    }

    /** Commits {@code txn} (read-only ones too: that keeps the DBI handles they opened). */
    public void commit(Txn<ByteBuffer> txn) {
        txn.commit();
        synchronized (this) {
            openedIn.remove(txn);
        }
    }

    /** Aborts {@code txn} if it has not ended; LMDB closes the DBI handles it opened, so they are forgotten. */
    public void abort(Txn<ByteBuffer> txn) {
        txn.close();
        synchronized (this) {
            List<String> names = openedIn.remove(txn);
            if (names != null) {
                names.forEach(dbis::remove);
            }
        }
    }

    private LmdbEnvironmentException tooManyDbis(Exception e) {
        return new LmdbEnvironmentException(name, "too many DBIs; raise lmdbs." + name + ".options.max_dbs", e);
    }

    /** The LMDB flags of {@code dbi}, as the bits of {@link DbiFlags}. */
    public static int flags(Txn<ByteBuffer> txn, Dbi<ByteBuffer> dbi) {
        int bits = 0;
        for (org.lmdbjava.DbiFlags f : dbi.listFlags(txn)) {
            bits |= f.getMask();
        }
        return bits & SYNCED_FLAGS;
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

    private static void setMode(Path path, int mask) throws IOException {
        try {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(toRwx(mask));
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX filesystem: nothing to set.
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
