package io.thunderstream.cli;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.status.Health;
import io.thunderstream.engine.status.LmdbCollector;
import io.thunderstream.engine.status.SyncActivity;
import io.thunderstream.engine.status.SyncMetrics;
import io.thunderstream.engine.sync.SyncListener;
import io.thunderstream.engine.sync.Syncer;
import java.io.IOException;

/**
 * The metrics, health and activity of one {@code sync} or {@code receive} run: its
 * {@link #listener()} goes to the syncer, and {@link #serve} starts the HTTP status server when
 * {@code http.address} is set.
 */
final class Monitoring {

    final ThunderstreamConfig config;
    final PrometheusRegistry registry = new PrometheusRegistry();
    final Health health;
    final SyncActivity activity = new SyncActivity();
    private final SyncMetrics metrics;

    Monitoring(ThunderstreamConfig config) {
        this.config = config;
        this.health = new Health(config.health(), config.lmdbs().keySet());
        this.metrics = new SyncMetrics(registry, config.instance());
        JvmMetrics.builder().register(registry);
    }

    SyncListener listener() {
        return SyncListener.all(metrics, health, activity);
    }

    /**
     * Adds the syncer's LMDBs to the metrics and, when {@code http.address} is set, starts the
     * status server; close the server before the syncer, since it reads the syncer's LMDBs.
     */
    StatusServer serve(Syncer syncer, StorageBackend storage) throws IOException {
        LmdbCollector lmdbs = new LmdbCollector(config.lmdbScrapeSmaps());
        for (LmdbEnvironment lmdb : syncer.lmdbs()) {
            lmdbs.add(lmdb, config.lmdbs().get(lmdb.name()).dataFile());
        }
        registry.register(lmdbs);
        return config.http().enabled() ? StatusServer.start(config.http(), this, syncer.lmdbs(), storage) : null;
    }
}
