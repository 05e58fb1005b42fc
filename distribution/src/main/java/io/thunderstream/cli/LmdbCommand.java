package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.LmdbOptions;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironmentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The part of {@code dump}, {@code stats} and {@code drop-shadow} that picks the configured LMDBs to look at. */
abstract class LmdbCommand {

    @Spec
    CommandSpec spec;

    @Option(names = {"-n", "--name", "--db"}, paramLabel = "NAME",
            description = "Only this LMDB of the config (default: all); -n and --name as in Lightning Stream.")
    String db;

    List<LmdbConfig> lmdbs() {
        ThunderstreamConfig config = ThunderstreamCommand.of(spec).config();
        if (db != null) {
            config = ThunderstreamCommand.onlyLmdbs(spec, config, "-n/--name", List.of(db));
        }
        return config.lmdbs().values().stream().map(LmdbCommand::existing).toList();
    }

    /**
     * The LMDB as it is: these commands look at or mend one, so a mistyped path is an error rather
     * than a new empty LMDB, and map_size 0 keeps the file's map instead of resizing it to 1GB.
     */
    private static LmdbConfig existing(LmdbConfig lmdb) {
        // (A path of the wrong kind, a file where a directory belongs, is opening's to report.)
        if (!Files.exists(lmdb.dataFile()) && !Files.isRegularFile(Path.of(lmdb.path()))) {
            throw new LmdbEnvironmentException(lmdb.name(), "no LMDB at " + lmdb.dataFile());
        }
        LmdbOptions options = lmdb.options();
        return lmdb.withOptions(new LmdbOptions(options.noSubdir(), false, options.mapSize(), options.maxDbs(),
                options.dirMask(), options.fileMask()));
    }
}
