package io.thunderstream.cli;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.snapshot.SnapshotIncompatibleException;
import io.thunderstream.engine.snapshot.SnapshotJson;
import io.thunderstream.engine.snapshot.SnapshotMeta;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.snapshot.SnapshotReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thunderstream snapshots ...}: the snapshots in the configured storage, and snapshot files. */
@Command(name = "snapshots",
        mixinStandardHelpOptions = true,
        description = "List, fetch, store, print and remove snapshots.",
        subcommands = {SnapshotsCommand.ListSnapshots.class, SnapshotsCommand.Get.class, SnapshotsCommand.Put.class,
                SnapshotsCommand.Dump.class, SnapshotsCommand.Remove.class})
public final class SnapshotsCommand {

    /** Shared by the subcommands: the storage of the config, and the blob names they are given. */
    abstract static class StorageCommand {
        @Spec
        CommandSpec spec;

        StorageBackend storage() throws IOException {
            ThunderstreamCommand top = ThunderstreamCommand.of(spec);
            return top.openStorage(top.config());
        }

        /** Checks a blob name of the command line as the backends would: a bad one is a usage error naming {@code argument}. */
        void checkBlobName(String argument, String name) {
            try {
                BlobNames.check(name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), argument + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the snapshots in the storage.")
    static final class ListSnapshots extends StorageCommand implements Callable<Integer> {
        @Option(names = {"-l", "--long"}, description = "Show size and last-modified time.")
        boolean long_;

        @Option(names = {"-t", "--time"}, description = "Sort by snapshot time (newest last) instead of by name.")
        boolean byTime;

        @Option(names = {"-p", "--prefix"}, paramLabel = "PREFIX", defaultValue = "", description = "Only names starting with PREFIX (e.g. main__).")
        String prefix;

        @Override
        public Integer call() throws IOException {
            try {
                BlobNames.checkPrefix(prefix);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "-p/--prefix: " + e.getMessage());
            }
            List<BlobInfo> blobs;
            try (StorageBackend storage = storage()) {
                blobs = new ArrayList<>(storage.list(prefix));
            }
            if (byTime) {
                blobs.sort(Comparator.comparing((BlobInfo b) -> SnapshotName.parse(b.name())
                        .map(n -> n.timestamp().toString()).orElse("")).thenComparing(BlobInfo::name));
            }
            PrintWriter out = spec.commandLine().getOut();
            for (BlobInfo b : blobs) {
                out.println(long_ ? String.format("%12d  %-30s  %s", b.size(), b.lastModified() == null ? "-" : b.lastModified(), b.name()) : b.name());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Download a snapshot to a file.")
    static final class Get extends StorageCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Snapshot name in the storage.")
        String name;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Where to write it: a file, or an existing directory to write NAME in, as cp does"
                        + " (default: NAME in the current directory).")
        Path output;

        @Override
        public Integer call() throws IOException {
            checkBlobName("NAME", name);
            Path fileName = Path.of(name.replace('/', '_'));
            Path target = output == null ? fileName : Files.isDirectory(output) ? output.resolve(fileName) : output;
            // The download replaces the target by a move, which would replace an empty directory too.
            if (Files.isDirectory(target)) {
                throw new IOException(target + ": is a directory");
            }
            Path directory = target.toAbsolutePath().getParent();
            if (!Files.isDirectory(directory)) {
                throw new IOException(target + ": no such directory " + directory);
            }
            Path temp = Files.createTempFile(directory, ".thunderstream-get-", ".tmp");
            try (StorageBackend storage = storage(); InputStream in = storage.read(name)) {
                long size = storage.list(name).stream().filter(b -> b.name().equals(name)).mapToLong(BlobInfo::size).findFirst().orElse(-1);
                try (OutputStream out = Files.newOutputStream(temp)) {
                    copyWithProgress(in, out, size);
                }
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            spec.commandLine().getErr().println("wrote " + target);
            return 0;
        }

        /** Copies, and on a terminal shows how far a large download has come. */
        private void copyWithProgress(InputStream in, OutputStream out, long size) throws IOException {
            boolean show = System.console() != null && size > (8L << 20);
            byte[] buf = new byte[1 << 16];
            long done = 0;
            long lastShown = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                if (show && done - lastShown >= (4L << 20)) {
                    System.err.printf("\r%s: %d of %d MiB (%d%%)", name, done >> 20, size >> 20, 100 * done / size);
                    lastShown = done;
                }
            }
            if (show) {
                System.err.println();
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Store a snapshot file. Unless --force: it must decode, its name must be a snapshot name as"
                    + " Lightning Stream writes them, of the database the file holds, and no blob may have that name yet.")
    static final class Put extends StorageCommand implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Snapshot file (.pb.gz).")
        Path file;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Name in the storage (default: the file's name).")
        String name;

        @Option(names = "--force", description = "Store even if the file does not decode, or its name is no snapshot name"
                + " (any blob name, e.g. a marker file) or one of another database; replace a blob of that name.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            // The file first: without -n its name is the snapshot's, and a missing file is the real problem.
            openFile(file).close();
            String target = name != null ? name : file.getFileName().toString();
            checkBlobName(name != null ? "-n/--name" : file.toString(), target);
            if (!force) {
                SnapshotName snapshot = snapshotName(target);
                String database = decodeWhole(file, file.toString()).meta().databaseName();
                // A syncer of the name's database refuses a snapshot whose meta names another (LS's may name none).
                if (!database.isEmpty() && !database.equals(snapshot.database())) {
                    throw new IOException(file + ": holds database \"" + database + "\", not \"" + snapshot.database()
                            + "\" of the name " + target + "; use --force to store it anyway");
                }
            }
            try (StorageBackend storage = storage()) {
                if (!force && storage.list(target).stream().anyMatch(b -> b.name().equals(target))) {
                    throw new IOException(target + " is in the storage already; use --force to replace it");
                }
                try (InputStream in = openFile(file)) {
                    storage.write(target, in, Files.size(file));
                }
            }
            spec.commandLine().getErr().println("stored " + target);
            return 0;
        }

        /**
         * {@code target} as a snapshot name that Lightning Stream could have written and reads back as
         * it is; else a usage error naming where the name came from, -n or the file.
         */
        private SnapshotName snapshotName(String target) {
            Optional<SnapshotName> parsed = SnapshotName.parse(target);
            String problem;
            if (parsed.isEmpty()) {
                problem = "is not a snapshot name (db__instance__yyyyMMdd-HHmmss-nnnnnnnnn__GX.pb.gz)";
            } else if (!SnapshotName.isDatabase(parsed.get().database())) {
                problem = "has database \"" + parsed.get().database() + "\", which is no LMDB name"
                        + " (letters, digits, - and _, no \"__\", not ending in \"_\")";
            } else if (!SnapshotName.isInstance(parsed.get().instance())) {
                problem = "has instance \"" + parsed.get().instance() + "\", which Lightning Stream never writes"
                        + " (only letters, digits and -)";
            } else if (target.indexOf('/') >= 0) {
                problem = "has a '/': snapshot names are flat (an fs bucket would make it a subdirectory)";
            } else {
                return parsed.get();
            }
            throw new ParameterException(spec.commandLine(), name != null
                    ? "-n/--name: \"" + target + "\" " + problem + "; use --force to store it under any name"
                    : file + ": its name \"" + target + "\" " + problem + "; give a snapshot name with -n, or use --force");
        }
    }

    /**
     * Opens a local file for reading; an error starts with the file and says what is wrong (no
     * such file, is a directory, permission denied), where the JDK's would give the path alone.
     */
    static InputStream openFile(Path file) throws IOException {
        // Opening a directory succeeds on Linux; only its first read fails, with "Is a directory".
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory");
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new IOException(FileErrors.describe(file, e), e);
        }
    }

    /** What decoding a whole snapshot found. */
    record Contents(SnapshotMeta meta, List<String> dbiNames) {
    }

    /**
     * Decodes the whole snapshot in {@code file}, the check before acting on it: corruption or a
     * late version field shows only at its end. An error starts with {@code shownAs}.
     */
    static Contents decodeWhole(Path file, String shownAs) throws IOException {
        List<String> dbiNames = new ArrayList<>();
        try (InputStream in = openFile(file); SnapshotReader reader = SnapshotReader.openGzip(in)) {
            for (SnapshotReader.Event e; (e = reader.next()) != SnapshotReader.Event.END; ) {
                if (e == SnapshotReader.Event.DBI_END) {
                    dbiNames.add(reader.dbiName());
                }
            }
            return new Contents(reader.meta(), dbiNames);
        } catch (SnapshotIncompatibleException e) {
            throw new IOException(shownAs + ": a snapshot for a newer reader: " + e.getMessage(), e);
        } catch (SnapshotFormatException e) {
            throw new IOException(shownAs + ": not a snapshot: " + e.getMessage(), e);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a snapshot from the storage; a name it does not hold is an error.")
    static final class Remove extends StorageCommand implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "Snapshot name in the storage.")
        String name;

        @Override
        public Integer call() throws IOException {
            checkBlobName("NAME", name);
            try (StorageBackend storage = storage()) {
                // Deleting a missing blob is no error to the backends, so a mistyped name would pass unnoticed.
                if (storage.list(name).stream().noneMatch(b -> b.name().equals(name))) {
                    throw new IOException("no snapshot " + name + " in the storage");
                }
                storage.delete(name);
            }
            return 0;
        }
    }

    /** {@code thunderstream snapshots dump [-l] NAME|FILE [-f json|text|debug] [-d DBI]}, with Lightning Stream's options. */
    @Command(name = "dump",
            mixinStandardHelpOptions = true,
            description = "Print the contents of a snapshot, from the storage or from a local file. It is checked whole"
                    + " first: of a bad snapshot nothing is printed.")
    static final class Dump extends StorageCommand implements Callable<Integer> {
        /** {@code debug} is Lightning Stream's name for {@code text}. */
        enum Format { json, text, debug }

        @Parameters(paramLabel = "NAME", description = "Snapshot name in the storage, or with --local a file.")
        String name;

        @Option(names = {"-l", "--local"}, description = "NAME is a snapshot file on the local disk.")
        boolean local;

        @Option(names = {"-f", "--format"}, defaultValue = "json", paramLabel = "FORMAT",
                description = "json (the test vectors' schema, bytes as hex), or text (debug: the same). Default: ${DEFAULT-VALUE}.")
        Format format;

        @Option(names = {"-d", "--dbi"}, paramLabel = "DBI",
                description = "Only this DBI; one the snapshot does not have is an error that lists those it has.")
        String dbi;

        @Override
        public Integer call() throws IOException {
            if (!local) {
                checkBlobName("NAME", name);
            }
            Path download = local ? null : download();
            try {
                Path file = local ? Path.of(name) : download;
                // Decoded twice, so that a bad snapshot prints nothing (its fault shows only where it is)
                // without holding a dump that can be many times the snapshot's size.
                Contents contents = decodeWhole(file, name);
                if (dbi != null && !contents.dbiNames().contains(dbi)) {
                    throw new IOException(name + ": no DBI " + dbi + "; its DBIs: "
                            + (contents.dbiNames().isEmpty() ? "none" : String.join(", ", contents.dbiNames())));
                }
                OutputStream stdout = new BufferedOutputStream(System.out, 1 << 16);
                try (InputStream in = openFile(file); SnapshotReader reader = SnapshotReader.openGzip(in)) {
                    if (format == Format.json) {
                        SnapshotJson.writeJson(reader, stdout, dbi);
                        stdout.flush();
                    } else {
                        SnapshotJson.writeText(reader, new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8)), dbi);
                    }
                } catch (SnapshotFormatException e) {
                    // Only if the file changed since its check.
                    stdout.flush();
                    throw new IOException(name + ": " + e.getMessage(), e);
                }
                return 0;
            } finally {
                if (download != null) {
                    Files.deleteIfExists(download);
                }
            }
        }

        /** The snapshot from the storage in a temp file (it is read twice, and may be 100+ MB), which the caller deletes. */
        private Path download() throws IOException {
            Path temp = Files.createTempFile("thunderstream-dump-", ".pb.gz");
            try (StorageBackend storage = storage(); InputStream in = storage.read(name)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                return temp;
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
    }
}
