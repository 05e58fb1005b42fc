package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.shadow.ShadowMode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thunderstream drop-shadow}: removes the shadow DBIs and the other {@code _sync*} DBIs. */
@Command(name = "drop-shadow", mixinStandardHelpOptions = true,
        description = {"Remove the shadow DBIs (_sync_shadow_*) and every other _sync* DBI from the configured LMDBs.",
            "This loses the sync state: on its next start the syncer copies the data again with timestamps of 1 ns,"
                + " so local changes not yet stored in a snapshot lose to other instances' data. Stop the syncer first."})
final class DropShadowCommand extends LmdbCommand implements Callable<Integer> {

    @Option(names = "--yes", description = "Really drop them (required).")
    boolean yes;

    @Override
    public Integer call() {
        if (!yes) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "drop-shadow removes the sync state (_sync* DBIs) and can lose local changes not yet stored;"
                            + " stop the syncer and run it again with --yes");
        }
        PrintWriter out = spec.commandLine().getOut();
        for (LmdbConfig config : lmdbs()) {
            try (LmdbEnvironment lmdb = LmdbEnvironment.openExisting(config)) {
                List<String> dropped = ShadowMode.dropPrivateDbis(lmdb);
                out.printf("lmdb %s: dropped %s%n", config.name(), dropped.isEmpty() ? "nothing" : String.join(", ", dropped));
            }
        }
        out.flush();
        return 0;
    }
}
