package io.thunderstream.cli;

import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.sync.Syncer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code thunderstream sync}: keep the configured LMDBs in sync until stopped. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Sync the configured LMDBs: store snapshots of local changes, merge other instances' snapshots.")
class SyncCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(SyncCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--only-once", description = "One pass (load every instance's newest snapshot, store one if needed), then exit.")
    boolean onlyOnce;

    @Option(names = "--only-db", paramLabel = "NAME", description = "Sync only this LMDB of the config (can be repeated).")
    List<String> onlyDbs;

    @Option(names = "--wait-for-marker-file", paramLabel = "NAME",
            description = "Before syncing, wait until the storage holds a blob of this name (looked for every storage_poll_interval).")
    String markerFile;

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
        if (onlyDbs != null) {
            config = ThunderstreamCommand.onlyLmdbs(spec, config, "--only-db", onlyDbs);
        }
        if (markerFile != null) {
            try {
                BlobNames.check(markerFile);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--wait-for-marker-file: " + e.getMessage());
            }
        }
        Monitoring monitoring = new Monitoring(config);
        try (StorageBackend storage = top.openStorage(config);
                Syncer syncer = Syncer.builder(config).storage(storage).receiveOnly(receiveOnly())
                        .listener(monitoring.listener()).build();
                StatusServer status = monitoring.serve(syncer, storage)) {
            CountDownLatch stopping = new CountDownLatch(1);
            // SIGTERM and Ctrl-C: finish or abort the current transaction, then exit.
            Thread stopper = new Thread(() -> {
                log.info("stopping: the current transaction is finished or rolled back");
                stopping.countDown();
                syncer.stop();
                try {
                    syncer.awaitTermination();
                    log.info("stopped");
                } catch (Exception e) {
                    // already logged by the syncer
                }
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(stopper);
            if (markerFile == null || markerFound(storage, config.storagePollInterval(), stopping)) {
                syncer.start();
                syncer.awaitTermination();
            }
            removeHook(stopper);
        }
        return 0;
    }

    /** Waits for {@link #markerFile} in the storage; false when stopped first. */
    private boolean markerFound(StorageBackend storage, Duration every, CountDownLatch stopping) throws InterruptedException {
        log.info("waiting for marker file {} in the storage", markerFile);
        do {
            try (InputStream marker = storage.read(markerFile)) {
                log.info("marker file {} found: starting", markerFile);
                return true;
            } catch (BlobNotFoundException e) {
                log.debug("no marker file {} yet", markerFile);
            } catch (IOException e) {
                log.error("looking for marker file {} failed: {}", markerFile, e.getMessage());
            }
        } while (!stopping.await(every.toMillis(), TimeUnit.MILLISECONDS));
        return false;
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
