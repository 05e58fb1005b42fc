package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

        assertFailed(snapshots("put", text.toString(), "-n", NAME),
                text + ": not a snapshot: gzip: not gzip data");
        assertFailed(snapshots("put", vector("v99-incompatible").toString(), "-n", NAME),
                vector("v99-incompatible") + ": a snapshot for a newer reader: ");
        assertFailed(snapshots("put", missing.toString()), missing + ": no such file");
        assertFailed(snapshots("put", directory.toString(), "-n", NAME), directory + ": is a directory");
        assertFailed(snapshots("put", directory.toString(), "-n", NAME, "--force"), directory + ": is a directory");
        assertThat(snapshots("list").out()).isEmpty();
    }

    @Test
    void putRefusesNamesLightningStreamWouldNotWriteAsUsageErrors() throws Exception {
        String timeAndGeneration = "__20240102-030405-123456789__GX.pb.gz";
        Path basic = vector("v3-basic");

        assertUsageError(snapshots("put", basic.toString(), "-n", "main__a/b" + timeAndGeneration),
                "-n/--name: \"main__a/b" + timeAndGeneration + "\" has instance \"a/b\", which Lightning Stream never writes");
        assertUsageError(snapshots("put", basic.toString(), "-n", "main__a b" + timeAndGeneration),
                "-n/--name: \"main__a b" + timeAndGeneration + "\" has instance \"a b\"");
        assertUsageError(snapshots("put", basic.toString(), "-n", "ma+in__a" + timeAndGeneration),
                "-n/--name: \"ma+in__a" + timeAndGeneration + "\" has database \"ma+in\", which is no LMDB name");
        assertUsageError(snapshots("put", basic.toString(), "-n", "main__a__20240102-030405-123456789__G/X.pb.gz"),
                "-n/--name: \"main__a__20240102-030405-123456789__G/X.pb.gz\" has a '/'");
        assertUsageError(snapshots("put", basic.toString()),
                basic + ": its name \"v3-basic.pb.gz\" is not a snapshot name");
        assertThat(snapshots("list").out()).isEmpty();
        assertThat(dir.resolve("bucket")).isEmptyDirectory();
    }

    @Test
    void putRefusesANameOfAnotherDatabaseThanTheFileHolds() throws Exception {
        Path basic = vector("v3-basic");
        String other = "other__node-a__20240102-030405-123456789__GX.pb.gz";

        assertFailed(snapshots("put", basic.toString(), "-n", other),
                basic + ": holds database \"main\", not \"other\" of the name " + other);
        assertThat(snapshots("list").out()).isEmpty();

        put(basic, other, "--force");
        assertThat(snapshots("list").out()).isEqualTo(other + "\n");
    }

    @Test
    void putReplacesABlobOnlyWithForce() throws Exception {
        put(vector("v3-basic"), NAME);

        assertFailed(snapshots("put", vector("v3-from-txn").toString(), "-n", NAME),
                NAME + " is in the storage already; use --force to replace it");
        assertThat(snapshots("get", NAME, "-o", dir.resolve("kept.pb.gz").toString()).exitCode()).isZero();
        assertThat(dir.resolve("kept.pb.gz")).hasSameBinaryContentAs(vector("v3-basic"));

        put(vector("v3-from-txn"), NAME, "--force");
        assertThat(snapshots("get", NAME, "-o", dir.resolve("replaced.pb.gz").toString()).exitCode()).isZero();
        assertThat(dir.resolve("replaced.pb.gz")).hasSameBinaryContentAs(vector("v3-from-txn"));
    }

    @Test
    void putWithForceStoresAnyBlob() throws Exception {
        Path marker = Files.writeString(dir.resolve("ready"), "");

        put(marker, "markers/ready", "--force");

        assertThat(snapshots("list").out()).isEqualTo("markers/ready\n");
    }

    @Test
    void removeOfANameTheStorageDoesNotHoldFails() throws Exception {
        put(vector("v3-basic"), NAME);
        String missing = "main__node-b__20240102-030405-123456789__GX.pb.gz";

        assertFailed(snapshots("remove", missing), "no snapshot " + missing + " in the storage");
        // A prefix of a name is no name.
        assertFailed(snapshots("remove", "main__node-a"), "no snapshot main__node-a in the storage");

        InProcessRun remove = snapshots("remove", NAME);
        assertThat(remove.exitCode()).as(remove.err()).isZero();
        assertThat(snapshots("list").out()).isEmpty();
    }

    @Test
    void dumpOfABadSnapshotPrintsNothing() throws Exception {
        for (String bad : List.of("corrupt-truncated", "corrupt-bad-protobuf", "v99-incompatible")) {
            for (String format : List.of("json", "text")) {
                InProcessRun dump = dump("-l", vector(bad).toString(), "-f", format);

                assertFailed(dump, vector(bad) + ": ");
                assertThat(dump.out()).as(bad + " as " + format).isEmpty();
            }
        }
        put(vector("corrupt-truncated"), NAME, "--force");

        InProcessRun dump = dump(NAME);

        assertFailed(dump, NAME + ": not a snapshot: gzip: ");
        assertThat(dump.out()).isEmpty();
    }

    @Test
    void dumpOfADbiTheSnapshotDoesNotHaveListsThoseItHas() throws Exception {
        Path basic = vector("v3-basic");
        put(basic, NAME);

        for (String local : List.of("", "-l")) {
            InProcessRun dump = local.isEmpty() ? dump(NAME, "-d", "nosuch") : dump("-l", basic.toString(), "-d", "nosuch");

            assertFailed(dump, (local.isEmpty() ? NAME : basic) + ": no DBI nosuch; its DBIs: domains, records");
            assertThat(dump.out()).isEmpty();
        }
        InProcessRun domains = dump(NAME, "-d", "domains");
        assertThat(domains.exitCode()).as(domains.err()).isZero();
        assertThat(domains.out()).contains("\"domains\"").doesNotContain("\"records\"");
    }

    @Test
    void anInvalidBlobNameOrPrefixIsAUsageErrorNamingItsArgument() throws Exception {
        assertUsageError(snapshots("list", "-p", "../"), "-p/--prefix: invalid blob prefix \"../\": '..' segment");
        assertUsageError(snapshots("get", "../../etc/passwd"), "NAME: invalid blob name \"../../etc/passwd\": '..' segment");
        assertUsageError(snapshots("remove", "../x"), "NAME: invalid blob name \"../x\"");
        assertUsageError(dump("../x"), "NAME: invalid blob name \"../x\"");
        assertUsageError(snapshots("put", vector("v3-basic").toString(), "-n", "../x", "--force"),
                "-n/--name: invalid blob name \"../x\"");
        Path hidden = Files.copy(vector("v3-basic"), dir.resolve(".hidden"));
        assertUsageError(snapshots("put", hidden.toString(), "--force"), hidden + ": invalid blob name \".hidden\"");
    }

    /** The command exits with 1, its error starting with {@code message}. */
    private static void assertFailed(InProcessRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).startsWith("thunderstream: " + message);
    }

    /** The command exits with 2, its error starting with {@code message} (the usage follows). */
    private static void assertUsageError(InProcessRun run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith(message);
    }

    private InProcessRun snapshots(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "snapshots";
        System.arraycopy(args, 0, all, 1, args.length);
        return InProcessRun.withConfig(config, all);
    }

    /** {@code snapshots dump args}, with what it wrote to {@link System#out} (it writes there itself) as its output. */
    private InProcessRun dump(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            List<String> all = new ArrayList<>(List.of("dump"));
            all.addAll(List.of(args));
            InProcessRun run = snapshots(all.toArray(String[]::new));
            return new InProcessRun(run.exitCode(), captured.toString(StandardCharsets.UTF_8), run.err());
        } finally {
            System.setOut(stdout);
        }
    }

    private void put(Path file, String name, String... options) {
        List<String> args = new ArrayList<>(List.of("put", file.toString(), "-n", name));
        args.addAll(List.of(options));
        InProcessRun put = snapshots(args.toArray(String[]::new));
        assertThat(put.exitCode()).as(put.err()).isZero();
    }

    private static Path vector(String name) {
        return Path.of(System.getProperty("thunderstream.shared.dir"), "testdata", "snapshots", name + ".pb.gz");
    }
}
