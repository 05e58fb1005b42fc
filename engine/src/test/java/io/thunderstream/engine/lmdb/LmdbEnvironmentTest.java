package io.thunderstream.engine.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.LmdbOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

class LmdbEnvironmentTest {

    @TempDir
    Path dir;

    private static LmdbConfig config(Path path, boolean noSubdir, boolean create) {
        return LmdbConfig.of("main", path.toString())
                .withOptions(new LmdbOptions(noSubdir, create, 8L << 20, 8, 0750, 0640))
                .withSchemaTracksChanges(true);
    }

    @Test
    void noSubdirUsesTheFileWithItsLockFileBeside() throws Exception {
        Path file = dir.resolve("pdns.lmdb");
        try (LmdbEnvironment lmdb = LmdbEnvironment.open(config(file, true, true))) {
            assertThat(lmdb.lastTxnId()).isZero();
            assertThat(lmdb.env().info().mapSize).isEqualTo(8L << 20);
        }
        assertThat(file).isRegularFile();
        assertThat(dir.resolve("pdns.lmdb-lock")).isRegularFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    void aCreatedDirectoryGetsTheDirMask() throws Exception {
        Path env = dir.resolve("sub/env");
        try (LmdbEnvironment lmdb = LmdbEnvironment.open(config(env, false, true))) {
            assertThat(env.resolve("data.mdb")).isRegularFile();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(env))).isEqualTo("rwxr-x---");
    }

    @Test
    void aMissingLmdbWithoutCreateIsAnErrorThatSaysWhatToSet() {
        assertThatThrownBy(() -> LmdbEnvironment.open(config(dir.resolve("absent"), false, false)))
                .isInstanceOf(LmdbEnvironmentException.class)
                .hasMessageContaining("lmdb main").hasMessageContaining("options.create");
    }

    /** For the commands that look at or mend an LMDB: create does not apply, and map_size 0 keeps the file's map. */
    @Test
    void openExistingNeitherCreatesNorResizes() {
        Path env = dir.resolve("env");
        LmdbConfig creating = LmdbConfig.of("main", env.toString())
                .withOptions(new LmdbOptions(false, true, 0, 8, 0750, 0640));
        assertThatThrownBy(() -> LmdbEnvironment.openExisting(creating))
                .isInstanceOf(LmdbEnvironmentException.class)
                .hasMessage("lmdb main: no LMDB at " + env.resolve("data.mdb"));
        assertThat(env).doesNotExist();

        LmdbEnvironment.open(config(env, false, true)).close(); // an 8 MB map
        try (LmdbEnvironment lmdb = LmdbEnvironment.openExisting(creating)) {
            assertThat(lmdb.env().info().mapSize).as("not create's 1 GB").isEqualTo(8L << 20);
        }
    }

    @Test
    void aMapSmallerThanTheDataIsReported() {
        Path env = dir.resolve("env");
        try (LmdbEnvironment lmdb = LmdbEnvironment.open(config(env, false, true))) {
            fill(lmdb);
            assertThat(LmdbEnvironment.mapTooSmall(config(env, false, true), lmdb.env())).isEmpty();
            LmdbConfig small = LmdbConfig.of("main", env.toString())
                    .withOptions(new LmdbOptions(false, true, 1L << 20, 8, 0750, 0640));
            assertThat(LmdbEnvironment.mapTooSmall(small, lmdb.env())).hasValueSatisfying(warning -> assertThat(warning)
                    .startsWith("lmdb main: lmdbs.main.options.map_size is 1048576 bytes, but the data takes ")
                    .endsWith("set it to the application's map size (PowerDNS: lmdb-map-size)"));
        }
    }

    /** 2,000 values of 1,000 bytes, about 2.5 MB. */
    private static void fill(LmdbEnvironment lmdb) {
        Txn<ByteBuffer> write = lmdb.env().txnWrite();
        Dbi<ByteBuffer> dbi = lmdb.createDbi(write, "data", 0);
        ByteBuffer key = ByteBuffer.allocateDirect(8);
        ByteBuffer value = ByteBuffer.allocateDirect(1000);
        for (long i = 0; i < 2000; i++) {
            dbi.put(write, key.clear().putLong(i).flip(), value.clear());
        }
        lmdb.commit(write);
    }

    @Test
    void aRegularFileAsTheDirectoryIsAConfigErrorThatNamesNoSubdir() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        for (boolean create : new boolean[] {false, true}) {
            assertThatThrownBy(() -> LmdbEnvironment.open(config(file, false, create)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("config: lmdbs.main.path " + file + " is a file, not a directory"
                            + " (set options.no_subdir: true if it is the data file)");
        }
    }

    @Test
    void aDirectoryAsTheDataFileIsAConfigErrorThatLeavesNoLockFile() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("lmdb"));
        assertThatThrownBy(() -> LmdbEnvironment.open(config(directory, true, true)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config: lmdbs.main.path " + directory + " is a directory;"
                        + " with options.no_subdir: true it must be the data file");
        assertThat(dir.resolve("lmdb-lock")).doesNotExist();
    }

    @Test
    void aDirectoryThatCannotBeCreatedSaysWhy() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        Path env = file.resolve("sub/env");
        assertThatThrownBy(() -> LmdbEnvironment.open(config(env, false, true)))
                .isInstanceOf(LmdbEnvironmentException.class)
                .hasMessage("lmdb main: cannot create directory " + env + ": " + file.resolve("sub") + ": not a directory");
    }

    @Test
    void handlesOpenedInAnAbortedTransactionAreForgotten() {
        try (LmdbEnvironment lmdb = LmdbEnvironment.open(config(dir.resolve("env"), false, true))) {
            Txn<ByteBuffer> write = lmdb.env().txnWrite();
            assertThat(lmdb.createDbi(write, "made", DbiFlags.INTEGERKEY)).isNotNull();
            lmdb.abort(write);
            Txn<ByteBuffer> read = lmdb.env().txnRead();
            assertThat(lmdb.dbi(read, "made")).as("the DBI was never created").isNull();
            lmdb.abort(read);

            write = lmdb.env().txnWrite();
            lmdb.createDbi(write, "made", DbiFlags.INTEGERKEY);
            lmdb.commit(write);
            read = lmdb.env().txnRead();
            assertThat(LmdbEnvironment.flags(read, lmdb.dbi(read, "made"))).isEqualTo(DbiFlags.INTEGERKEY);
            assertThat(lmdb.dbiNames(read)).containsExactly("made");
            lmdb.commit(read);
        }
    }
}
