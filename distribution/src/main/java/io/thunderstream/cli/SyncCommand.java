package io.thunderstream.cli;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.sync.Syncer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code thunderstream sync}: keep the configured LMDBs in sync until stopped. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Sync the configured LMDBs: store snapshots of local changes, merge other instances' snapshots.")
class SyncCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--only-once", description = "One pass (load every instance's newest snapshot, store one if needed), then exit.")
    boolean onlyOnce;

    @Option(names = "--only-db", paramLabel = "NAME", description = "Sync only this LMDB of the config.")
    String onlyDb;

    /** Whether this command stores snapshots; {@code receive} does not. */
    boolean receiveOnly() {
        return false;
    }

    @Override
    public Integer call() throws Exception {
        ThunderstreamCommand top = ThunderstreamCommand.of(spec);
        ThunderstreamConfig config = top.config();
        if (onlyOnce) {
            config = config.withOnlyOnce(true);
        }
        if (onlyDb != null) {
            config = config.withOnlyLmdb(onlyDb);
        }
        Monitoring monitoring = new Monitoring(config);
        try (StorageBackend storage = top.openStorage(config);
                Syncer syncer = Syncer.builder(config).storage(storage).receiveOnly(receiveOnly())
                        .listener(monitoring.listener()).build();
                StatusServer status = monitoring.serve(syncer, storage)) {
            // SIGTERM and Ctrl-C: finish or abort the current transaction, then exit.
            Thread stopper = new Thread(() -> {
                syncer.stop();
                try {
                    syncer.awaitTermination();
                } catch (Exception e) {
                    // already logged by the syncer
                }
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(stopper);
            syncer.start();
            syncer.awaitTermination();
            removeHook(stopper);
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs
        }
    }

    /** {@code thunderstream receive}: like sync, but never stores snapshots. */
    @Command(name = "receive", mixinStandardHelpOptions = true,
            description = "Merge other instances' snapshots into the configured LMDBs; never store snapshots.")
    static final class Receive extends SyncCommand {
        @Override
        boolean receiveOnly() {
            return true;
        }
    }
}
