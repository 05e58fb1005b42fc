package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshots ...} given bad input: each refusal names what is wrong, and nothing is half done. */
class SnapshotsCommandTest {

    private static final String NAME = "main__node-a__20240102-030405-123456789__GX.pb.gz";

    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        config = dir.resolve("lightningstream.yaml");
        Files.writeString(config, """
                lmdbs:
                  main:
                    path: %s
                storage:
                  type: fs
                  options: {root_path: %s}
                """.formatted(dir.resolve("lmdb"), dir.resolve("bucket")));
    }

    @Test
    void getIntoAnExistingDirectoryWritesNameInIt() throws Exception {
        put(vector("v3-basic"), NAME);
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("other"), "kept");

        for (Path into : new Path[] {empty, full}) {
            InProcessRun get = snapshots("get", NAME, "-o", into.toString());

            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(get.err()).contains("wrote " + into.resolve(NAME));
            assertThat(into.resolve(NAME)).hasSameBinaryContentAs(vector("v3-basic"));
        }
        assertThat(full.resolve("other")).hasContent("kept");
    }

    @Test
    void getDoesNotReplaceADirectory() throws Exception {
        put(vector("v3-basic"), NAME);
        Path into = Files.createDirectories(dir.resolve("out").resolve(NAME));

        InProcessRun get = snapshots("get", NAME, "-o", into.getParent().toString());

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.err()).contains(into + ": is a directory");
        assertThat(into).isEmptyDirectory();

        Path nowhere = dir.resolve("no-such-dir").resolve("file.pb.gz");
        InProcessRun toNowhere = snapshots("get", NAME, "-o", nowhere.toString());

        assertThat(toNowhere.exitCode()).isEqualTo(1);
        assertThat(toNowhere.err()).contains(nowhere + ": no such directory " + nowhere.getParent());
    }

    @Test
    void putErrorsStartWithTheFileAndSayWhatIsWrong() throws Exception {
        Path text = Files.writeString(dir.resolve("notsnap.txt"), "hello\n");
        Path missing = dir.resolve("nonexistent").resolve("file.pb.gz");
        Path directory = Files.createDirectory(dir.resolve("a-directory"));

        assertRefused(snapshots("put", text.toString(), "-n", NAME), 1,
                text + ": not a snapshot: gzip: not gzip data");
        assertRefused(snapshots("put", vector("v99-incompatible").toString(), "-n", NAME), 1,
                vector("v99-incompatible") + ": a snapshot for a newer reader: ");
        assertRefused(snapshots("put", missing.toString()), 1, missing + ": no such file");
        assertRefused(snapshots("put", directory.toString(), "-n", NAME), 1, directory + ": is a directory");
        assertRefused(snapshots("put", directory.toString(), "-n", NAME, "--force"), 1, directory + ": is a directory");
        assertThat(snapshots("list").out()).isEmpty();
    }

    /** The command exits with {@code exitCode} and its error starts with {@code message}. */
    private static void assertRefused(InProcessRun run, int exitCode, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
        assertThat(run.err()).startsWith("thunderstream: " + message);
    }

    private InProcessRun snapshots(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "snapshots";
        System.arraycopy(args, 0, all, 1, args.length);
        return InProcessRun.withConfig(config, all);
    }

    private void put(Path file, String name) {
        InProcessRun put = snapshots("put", file.toString(), "-n", name);
        assertThat(put.exitCode()).as(put.err()).isZero();
    }

    private static Path vector(String name) {
        return Path.of(System.getProperty("thunderstream.shared.dir"), "testdata", "snapshots", name + ".pb.gz");
    }
}
