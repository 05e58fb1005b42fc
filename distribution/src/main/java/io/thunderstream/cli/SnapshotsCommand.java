package io.thunderstream.cli;

import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.snapshot.SnapshotJson;
import io.thunderstream.engine.snapshot.SnapshotReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code thunderstream snapshots ...}: work with snapshot files. */
@Command(name = "snapshots",
        mixinStandardHelpOptions = true,
        description = "Work with snapshot files.",
        subcommands = {SnapshotsCommand.Dump.class})
public final class SnapshotsCommand {

    /** {@code thunderstream snapshots dump --local FILE [--format json|text] [--dbi NAME]}. */
    @Command(name = "dump",
            mixinStandardHelpOptions = true,
            description = "Print the contents of a snapshot (.pb.gz) file.")
    static final class Dump implements Callable<Integer> {
        enum Format { json, text }

        @Option(names = "--local", required = true, paramLabel = "FILE", description = "Snapshot file on the local disk.")
        Path file;

        @Option(names = "--format", defaultValue = "json", description = "json (the test vectors' schema, bytes as hex) or text. Default: ${DEFAULT-VALUE}.")
        Format format;

        @Option(names = "--dbi", paramLabel = "NAME", description = "Only this DBI.")
        String dbi;

        @Override
        public Integer call() {
            OutputStream stdout = new BufferedOutputStream(System.out, 1 << 16);
            try (SnapshotReader reader = SnapshotReader.openGzip(Files.newInputStream(file))) {
                if (format == Format.json) {
                    SnapshotJson.writeJson(reader, stdout, dbi);
                    stdout.flush();
                } else {
                    SnapshotJson.writeText(reader, new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8)), dbi);
                }
                return 0;
            } catch (SnapshotFormatException e) {
                flushQuietly(stdout);
                System.err.println("thunderstream: " + file + ": " + e.getMessage());
                return 1;
            } catch (NoSuchFileException e) {
                System.err.println("thunderstream: " + file + ": no such file");
                return 1;
            } catch (IOException e) {
                flushQuietly(stdout);
                System.err.println("thunderstream: " + file + ": " + e);
                return 1;
            }
        }

        private static void flushQuietly(OutputStream out) {
            try {
                out.flush();
            } catch (IOException ignored) {
                // stdout gone: nothing left to tell
            }
        }
    }
}
