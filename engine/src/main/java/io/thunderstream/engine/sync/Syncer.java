package io.thunderstream.engine.sync;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.cleaner.Cleaner;
import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.merge.SnapshotCheck;
import io.thunderstream.engine.status.LmdbStats;
import io.thunderstream.engine.sweeper.Sweeper;
import io.thunderstream.engine.shadow.ShadowMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.lmdbjava.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the configured LMDBs in sync through one storage backend: the entry point for the
 * command line and for applications that embed Thunderstream.
 *
 * <pre>{@code
 * try (Syncer syncer = Syncer.builder(config).storage(backend).build()) {
 *     syncer.start();
 *     syncer.awaitFirstPass(Duration.ofMinutes(1));
 *     ...
 * }
 * }</pre>
 *
 * Each LMDB gets its own sync loop thread; a shared scheduler lists the storage every
 * {@code storage_poll_interval} and a shared pool downloads. A failure that the retries cannot
 * overcome stops every loop and is thrown by {@link #awaitTermination()}.
 */
public final class Syncer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Syncer.class);

    private final ThunderstreamConfig config;
    private final SyncListener listener;
    private final List<LmdbEnvironment> environments;
    private final List<DbSyncer> loops = new ArrayList<>();
    private final List<Receiver> receivers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Thread> maintenance = new ArrayList<>();
    private final ScheduledExecutorService polls;
    private final ExecutorService downloads;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Syncer(Builder b) {
        this.config = b.config;
        this.listener = b.listener;
        this.environments = new ArrayList<>();
        this.polls = Executors.newSingleThreadScheduledExecutor(daemon("storage-poll"));
        this.downloads = Executors.newCachedThreadPool(daemon("download"));
        try {
            for (LmdbConfig lmdbConfig : config.lmdbs().values()) {
                Env<ByteBuffer> given = b.environments.get(lmdbConfig.name());
                LmdbEnvironment lmdb = given != null ? LmdbEnvironment.wrap(lmdbConfig.name(), given) : LmdbEnvironment.open(lmdbConfig);
                environments.add(lmdb);
                SyncListener listener = b.listener;
                if (config.storage().cleanup().enabled() && !b.receiveOnly && !config.onlyOnce()) {
                    // The cleaner lists and deletes on its own, outside the sync's storage metrics and health.
                    Cleaner cleaner = new Cleaner(lmdbConfig.name(), b.storage, config.storage().cleanup(), b.listener, b.clock);
                    listener = SyncListener.all(b.listener, cleaner); // it learns from merges and stores what it may delete
                    Duration interval = config.storage().cleanup().interval();
                    maintenance.add(repeat("cleaner-" + lmdbConfig.name(), "db " + lmdbConfig.name() + ": storage cleaning",
                            Duration.ZERO, () -> Cleaner.perturbed(interval), cleaner::runOnce));
                }
                if (config.sweeper().enabled() && !config.onlyOnce()) {
                    Sweeper sweeper = new Sweeper(lmdb, config.sweeper(), lmdbConfig.schemaTracksChanges(), b.listener, b.clock);
                    maintenance.add(repeat("sweeper-" + lmdbConfig.name(), "db " + lmdbConfig.name() + ": sweep",
                            config.sweeper().firstInterval(), config.sweeper()::interval, sweeper::sweep));
                }
                ShadowMode shadow = lmdbConfig.schemaTracksChanges() ? null
                        : new ShadowMode(lmdb, lmdbConfig, b.clock::nanosSinceEpoch);
                StorageBackend storage = new ObservedStorage(b.storage, listener);
                SnapshotSender sender = new SnapshotSender(lmdb, storage, config.instance(), b.hostname, b.clock, shadow);
                int maxKeySize = lmdb.env().getMaxKeySize();
                SnapshotCheck.Checker check = shadow != null ? shadow::check
                        : (source, spool) -> SnapshotCheck.check(source, lmdbConfig.name(), maxKeySize,
                                SnapshotCheck.NATIVE_RULES, spool);
                Receiver receiver = new Receiver(lmdbConfig.name(), sender.instance(), storage, downloads,
                        check, config.memoryDownloadedSnapshots(), config.memoryDecompressedSnapshots(),
                        Receiver.memoryLimit(Runtime.getRuntime().maxMemory(),
                                config.memoryDownloadedSnapshots() + config.memoryDecompressedSnapshots(), config.lmdbs().size()));
                receivers.add(receiver);
                loops.add(new DbSyncer(config, lmdbConfig, lmdb, receiver, sender, shadow, b.receiveOnly, listener, b.clock));
            }
        } catch (RuntimeException e) {
            closeEnvironments();
            polls.shutdownNow();
            downloads.shutdownNow();
            throw e;
        }
    }

    public static Builder builder(ThunderstreamConfig config) {
        return new Builder(config);
    }

    /** Starts a sync loop per LMDB and the storage polling. */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        // Everything is scheduled before the loops start: a loop that fails at once stops the schedulers.
        if (!config.onlyOnce()) {
            long every = config.storagePollInterval().toMillis();
            for (Receiver receiver : receivers) {
                polls.scheduleWithFixedDelay(receiver::poll, every, every, TimeUnit.MILLISECONDS);
            }
            long statsEvery = config.lmdbLogStatsInterval().toMillis();
            if (statsEvery > 0) {
                for (LmdbEnvironment lmdb : environments) {
                    Path dataFile = config.lmdbs().get(lmdb.name()).dataFile();
                    polls.scheduleWithFixedDelay(() -> LmdbStats.log(lmdb, dataFile, config.lmdbScrapeSmaps()),
                            statsEvery, statsEvery, TimeUnit.MILLISECONDS);
                }
            }
            maintenance.forEach(Thread::start);
        }
        for (DbSyncer loop : loops) {
            Thread t = new Thread(() -> runLoop(loop), "sync-" + loop.db());
            threads.add(t);
            t.start();
        }
    }

    /** The LMDBs being synced, in config order: for status pages and metrics. */
    public List<LmdbEnvironment> lmdbs() {
        return List.copyOf(environments);
    }

    private void runLoop(DbSyncer loop) {
        try {
            loop.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.InterruptedIOException e) {
            // Stopped while retrying or storing: an orderly stop, not a failure.
        } catch (Exception e) {
            if (failure.compareAndSet(null, e)) {
                log.error("db {}: sync stopped: {}", loop.db(), e.getMessage());
            }
            listener.syncFailed(loop.db(), e);
            stop();
        }
    }

    /** Waits until every LMDB finished its first pass; false on timeout or when a loop failed first. */
    public boolean awaitFirstPass(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (DbSyncer loop : loops) {
            while (!loop.firstPass().await(Math.min(100, Math.max(0, deadline - System.nanoTime()) / 1_000_000),
                    TimeUnit.MILLISECONDS)) {
                if (failure.get() != null || System.nanoTime() >= deadline) {
                    return false;
                }
            }
        }
        return failure.get() == null;
    }

    /**
     * Waits until every loop has ended: after {@link #stop()}, after one pass with only_once, or
     * after a failure, which is thrown here.
     */
    public void awaitTermination() throws Exception {
        for (Thread t : threads) {
            t.join();
        }
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Asks every loop to stop; a merge in progress finishes, no new work starts. */
    public void stop() {
        loops.forEach(DbSyncer::stop);
        polls.shutdown();
        stopped.countDown();
        maintenance.forEach(Thread::interrupt); // a sweep waiting between slices stops at once
    }

    /** A maintenance thread: {@code work} after {@code first}, then after every {@code then}, until stopped. */
    private Thread repeat(String threadName, String what, Duration first, java.util.function.Supplier<Duration> then,
            java.util.concurrent.Callable<?> work) {
        return daemon(threadName).newThread(() -> {
            try {
                Duration wait = first;
                while (!stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    try {
                        work.call();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        log.warn("{} failed: {}; trying again next time", what, e.toString());
                    }
                    wait = then.get();
                }
            } catch (InterruptedException e) {
                // stopping
            }
        });
    }

    /** Stops, waits for the loops and for a storage poll in flight, and closes the LMDBs this syncer opened. */
    @Override
    public void close() throws InterruptedException {
        stop();
        // A listing in flight would otherwise outlive close() and fail on a storage the caller closes next.
        if (!polls.awaitTermination(1, TimeUnit.MINUTES)) {
            log.warn("a storage poll still runs after 1 minute; closing without waiting for it");
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Thread t : maintenance) {
            t.join(); // a sweep aborts its transaction before the LMDB closes
        }
        downloads.shutdownNow();
        closeEnvironments();
    }

    private void closeEnvironments() {
        environments.forEach(LmdbEnvironment::close);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Sets up a {@link Syncer}: the storage is required, everything else optional. */
    public static final class Builder {
        private final ThunderstreamConfig config;
        private final Map<String, Env<ByteBuffer>> environments = new HashMap<>();
        private StorageBackend storage;
        private boolean receiveOnly;
        private SyncListener listener = new SyncListener() { };
        private Clock clock = Clock.SYSTEM;
        private String hostname = defaultHostname();

        private Builder(ThunderstreamConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        public Builder storage(StorageBackend storage) {
            this.storage = storage;
            return this;
        }

        /** Syncs an environment the application has open already (LMDB allows one per process) as LMDB {@code db}. */
        public Builder environment(String db, Env<ByteBuffer> env) {
            if (!config.lmdbs().containsKey(db)) {
                throw new IllegalArgumentException("no LMDB named " + db + " in the config; configured: " + config.lmdbs().keySet());
            }
            environments.put(db, env);
            return this;
        }

        /** Merges snapshots of other instances but never stores snapshots (the {@code receive} command). */
        public Builder receiveOnly(boolean receiveOnly) {
            this.receiveOnly = receiveOnly;
            return this;
        }

        public Builder listener(SyncListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Syncer build() {
            Objects.requireNonNull(storage, "storage");
            return new Syncer(this);
        }

        private static String defaultHostname() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "";
            }
        }
    }
}
