package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
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
        return List.copyOf(config.lmdbs().values());
    }
}
