package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets one line on stderr that names the thing and says what is wrong, with no Java
 * class names: exit code 2 for a bad command line or config, 1 for a failure.
 */
class ErrorMessagesTest {

    @TempDir
    Path dir;

    @Test
    void aConfigFileThatDoesNotReadIsNamedWithWhatIsWrong() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), "instance: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertUsageError(InProcessRun.withConfig(missing, "dump"),
                "cannot read config file " + missing + ": no such file or directory");
        assertUsageError(InProcessRun.withConfig(dir, "dump"), "cannot read config file " + dir + ": is a directory");
        assertUsageError(InProcessRun.withConfig(latin1, "dump"), "cannot read config file " + latin1 + ": not UTF-8 text");
    }

    @Test
    void anFsRootPathThatIsARegularFileIsAConfigError() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        assertUsageError(InProcessRun.withConfig(config("root_path: " + file), "sync", "--only-once"),
                "storage.options.root_path " + file + " is a file, not a directory");
    }

    @Test
    void aFileSystemErrorOfACommandNamesTheFileAndTheReason() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        InProcessRun demo = InProcessRun.of("demo", "--dir", file.toString());
        assertThat(demo.exitCode()).isEqualTo(1);
        assertThat(demo.err()).isEqualTo("thunderstream: lmdb main: cannot create directory " + file.resolve("lmdb-a")
                + ": not a directory\n");
    }

    @Test
    void anLmdbPathOfTheWrongKindIsAConfigError() throws IOException {
        Path file = Files.createFile(dir.resolve("file"));
        assertUsageError(InProcessRun.withConfig(config("path: " + file, "root_path: " + dir.resolve("bucket")), "dump"),
                "config: lmdbs.main.path " + file + " is a file, not a directory (set options.no_subdir: true if it is the data file)");
    }

    /** dump, stats and drop-shadow look at an LMDB as it is: they neither create one nor resize its map. */
    @Test
    void aCommandThatLooksAtAnLmdbDoesNotCreateOne() throws IOException {
        Path config = config("root_path: " + dir.resolve("bucket"));
        for (String[] command : new String[][] {{"dump"}, {"stats"}, {"drop-shadow", "--yes"}}) {
            InProcessRun run = InProcessRun.withConfig(config, command);
            assertThat(run.exitCode()).as(command[0]).isEqualTo(1);
            assertThat(run.err()).as(command[0]).isEqualTo("thunderstream: lmdb main: no LMDB at " + dir.resolve("db/data.mdb") + "\n");
        }
        assertThat(dir.resolve("db")).doesNotExist();
    }

    @Test
    void aBadLogOptionIsACommandLineErrorThatNamesTheOption() throws IOException {
        Path config = config("root_path: " + dir.resolve("bucket"));
        assertOptionError(InProcessRun.withConfig(config, "--log-level", "loud", "dump"), "--log-level",
                "invalid value \"loud\"; must be one of: trace, debug, info, warning, error, fatal, panic");
        assertOptionError(InProcessRun.withConfig(config, "--log-format", "xml", "dump"), "--log-format",
                "invalid value \"xml\"; must be one of: human, logfmt, json");
        assertOptionError(InProcessRun.withConfig(config, "dump", "--log-timestamp", "never"), "--log-timestamp",
                "invalid value \"never\"; must be one of: short, disable, full");
    }

    @Test
    void anEmptyInstanceOnTheCommandLineIsNotGivenAndABlankOneIsBlamedOnTheOption() throws IOException {
        Path config = config("root_path: " + dir.resolve("bucket"));
        InProcessRun empty = InProcessRun.withConfig(config, "-i", "", "sync", "--only-once");
        assertThat(empty.exitCode()).as("an empty -i is not given, as in LS: " + empty.err()).isZero();
        assertOptionError(InProcessRun.withConfig(config, "dump", "--instance", " "), "--instance", "blank; give a name");
    }

    @Test
    void anLmdbNameTheConfigDoesNotHaveIsBlamedOnTheOption() throws IOException {
        Path config = config("root_path: " + dir.resolve("bucket"));
        String notInConfig = ": no LMDB of that name in the config (LMDBs: main)";
        assertCommandLineError(InProcessRun.withConfig(config, "dump", "-n", "nosuch"), "-n/--name nosuch" + notInConfig);
        assertCommandLineError(InProcessRun.withConfig(config, "stats", "--db", "nosuch"), "-n/--name nosuch" + notInConfig);
        assertCommandLineError(InProcessRun.withConfig(config, "sync", "--only-once", "--only-db", "main", "--only-db", "nosuch"),
                "--only-db nosuch" + notInConfig);
        assertCommandLineError(InProcessRun.withConfig(config, "experimental", "migrate-timestamps", "-d", "nosuch",
                "--src-dbi", "a", "--dst-dbi", "b"), "-d/--database nosuch" + notInConfig);
    }

    /** A config of one LMDB in {@code dir}, created when missing, and an fs storage with {@code storageOptions}. */
    private Path config(String storageOptions) throws IOException {
        return config("path: " + dir.resolve("db") + ", options: {create: true}", storageOptions);
    }

    /** A config of one LMDB {@code main} with {@code lmdb} (a flow mapping's entries) and an fs storage with {@code storageOptions}. */
    private Path config(String lmdb, String storageOptions) throws IOException {
        return Files.writeString(dir.resolve("lightningstream.yaml"), """
                lmdbs:
                  main: {%s}
                storage:
                  type: fs
                  options: {%s}
                """.formatted(lmdb, storageOptions));
    }

    /** picocli's form of a bad command line: the message, then the usage. */
    private static void assertCommandLineError(InProcessRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElse("")).isEqualTo(message);
    }

    /** picocli's form of a bad option value: its message, then the usage. */
    private static void assertOptionError(InProcessRun run, String option, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElse("")).startsWith("Invalid value for option '" + option + "': " + message);
    }

    private static void assertUsageError(InProcessRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("thunderstream: " + message + "\n");
    }
}
