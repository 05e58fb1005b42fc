package io.thunderstream.engine.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.engine.config.HealthConfig;
import io.thunderstream.engine.config.HealthThresholds;
import io.thunderstream.engine.config.StartHealthConfig;
import io.thunderstream.engine.sync.SyncListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /healthz} report, as Lightning Stream gives it (go-healthz's JSON): per LMDB, a check
 * of how long listing, loading and storing snapshots have been failing ({@code health.storage_*}
 * thresholds: a warning after {@code warn_duration}, an error after {@code error_duration}), and
 * the start tracker ({@code health.start}): the first full pass not done after the thresholds,
 * counted only with {@code report_healthz}; metadata {@code startup_<db>} says whether it is done.
 * Errors make the report not ok (HTTP 503); warnings do not.
 *
 * <p>Each check is evaluated at most once per its {@code interval}; between evaluations the last
 * result stands, as with LS's background checks.
 */
public final class Health implements SyncListener {

    private static final Logger log = LoggerFactory.getLogger(Health.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A whole report. */
    public record Report(boolean ok, boolean hasWarnings, String status, Instant time, Instant since,
            Map<String, String> failures, Map<String, String> warnings, Map<String, Object> metadata) {

        /** The JSON body of {@code /healthz}. */
        public String toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", ok);
            out.put("has_warnings", hasWarnings);
            out.put("status", status);
            out.put("time", time.toString());
            out.put("since", since.toString());
            Runtime rt = Runtime.getRuntime();
            Map<String, Object> runtime = new LinkedHashMap<>();
            runtime.put("arch", System.getProperty("os.arch"));
            runtime.put("os", System.getProperty("os.name"));
            runtime.put("version", "java " + System.getProperty("java.version"));
            runtime.put("threads_count", Thread.activeCount());
            runtime.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
            out.put("runtime", runtime);
            out.put("failures", failures);
            out.put("warnings", warnings);
            if (!metadata.isEmpty()) {
                out.put("metadata", metadata);
            }
            try {
                return JSON.writeValueAsString(out) + "\n";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private enum Level {
        OK, WARNING, ERROR
    }

    private record Result(Level level, String message) {
        static final Result OK = new Result(Level.OK, "");
    }

    /** One check with LS's cadence: evaluated at most every {@code interval}. */
    private abstract class Check {
        final String name;
        private final long intervalNanos;
        private long evaluatedAt;
        private Result last;

        Check(String name, Duration interval) {
            this.name = name;
            this.intervalNanos = interval.toNanos();
        }

        synchronized Result result(long now) {
            if (last == null || now - evaluatedAt >= intervalNanos) {
                last = evaluate(now);
                evaluatedAt = now;
            }
            return last;
        }

        abstract Result evaluate(long now);
    }

    /** Failing storage operations: {@code <db>_storage_<op>_failed_duration}. */
    private final class FailureCheck extends Check {
        private final String activity;
        private final HealthThresholds thresholds;
        private int failuresInARow;
        private long failingSince;
        private String lastError = "";

        FailureCheck(String name, String activity, HealthThresholds thresholds) {
            super(name, thresholds.interval());
            this.activity = activity;
            this.thresholds = thresholds;
        }

        synchronized void failed(Exception why) {
            if (failuresInARow++ == 0) {
                failingSince = nanoTime.getAsLong();
            }
            lastError = String.valueOf(why.getMessage());
        }

        synchronized void succeeded() {
            failuresInARow = 0;
            lastError = "";
        }

        @Override
        synchronized Result evaluate(long now) {
            if (failuresInARow == 0) {
                return Result.OK;
            }
            Duration failingFor = Duration.ofNanos(now - failingSince);
            String message = "failed to " + activity + " for " + seconds(failingFor) + " - last error: '" + lastError + "'";
            if (failingFor.compareTo(thresholds.errorDuration()) >= 0) {
                log.warn("{}: failure for {} is violating the error threshold ({})", name, seconds(failingFor),
                        seconds(thresholds.errorDuration()));
                return new Result(Level.ERROR, message);
            }
            if (failingFor.compareTo(thresholds.warnDuration()) >= 0) {
                log.warn("{}: failure for {} is violating the warning threshold ({})", name, seconds(failingFor),
                        seconds(thresholds.warnDuration()));
                return new Result(Level.WARNING, message);
            }
            return Result.OK;
        }
    }

    /** The first full pass: {@code <db>_startup_in_progress}, gone from the report once done. */
    private final class StartCheck extends Check {
        private final String db;
        private final StartHealthConfig config;
        private final long since;
        private volatile boolean done;

        StartCheck(String db, StartHealthConfig config, long since) {
            super(db + "_startup_in_progress", config.interval());
            this.db = db;
            this.config = config;
            this.since = since;
        }

        @Override
        Result evaluate(long now) {
            if (done || !config.reportHealthz()) {
                return Result.OK;
            }
            // Not ready until the first full pass, however young: an orchestrator must not route to
            // a node that has not loaded the others' data yet. (LS is healthy until warn_duration.)
            Duration pending = Duration.ofNanos(now - since);
            String slow = pending.compareTo(config.warnDuration()) >= 0 ? " (slower than health.start.warn_duration)" : "";
            return new Result(Level.ERROR, "successful startup pending after " + seconds(pending) + slow);
        }
    }

    private final HealthConfig config;
    private final LongSupplier nanoTime;
    private final Instant since = Instant.now();
    private final Map<String, FailureCheck> list = new LinkedHashMap<>();
    private final Map<String, FailureCheck> load = new LinkedHashMap<>();
    private final Map<String, FailureCheck> store = new LinkedHashMap<>();
    private final Map<String, StartCheck> start = new LinkedHashMap<>();

    /** Health of the LMDBs {@code dbs}, measured from now. */
    public Health(HealthConfig config, Collection<String> dbs) {
        this(config, dbs, System::nanoTime);
    }

    Health(HealthConfig config, Collection<String> dbs, LongSupplier nanoTime) {
        this.config = config;
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        for (String db : dbs) {
            list.put(db, new FailureCheck(db + "_storage_list_failed_duration", "list snapshots on storage backend",
                    config.storageList()));
            load.put(db, new FailureCheck(db + "_storage_load_failed_duration", "load a snapshot from storage backend",
                    config.storageLoad()));
            store.put(db, new FailureCheck(db + "_storage_store_failed_duration", "write to storage backend",
                    config.storageStore()));
            start.put(db, new StartCheck(db, config.start(), now));
        }
    }

    /** Evaluates the checks that are due and reports. */
    public Report report() {
        long now = nanoTime.getAsLong();
        List<Check> checks = new ArrayList<>();
        checks.addAll(list.values());
        checks.addAll(load.values());
        checks.addAll(store.values());
        checks.addAll(start.values());
        Map<String, String> failures = new TreeMap<>();
        Map<String, String> warnings = new TreeMap<>();
        for (Check check : checks) {
            Result r = check.result(now);
            if (r.level() == Level.ERROR) {
                failures.put(check.name, r.message());
            } else if (r.level() == Level.WARNING) {
                warnings.put(check.name, r.message());
            }
        }
        Map<String, Object> metadata = new TreeMap<>();
        if (config.start().reportMetadata()) {
            start.forEach((db, check) -> metadata.put("startup_" + db, check.done));
        }
        String status = !failures.isEmpty() ? "Unavailable" : !warnings.isEmpty() ? "Warning" : "OK";
        return new Report(failures.isEmpty(), !warnings.isEmpty(), status, Instant.now(), since, failures, warnings, metadata);
    }

    private static String seconds(Duration d) {
        return Math.round(d.toMillis() / 1000.0) + "s";
    }

    private static void on(Map<String, FailureCheck> checks, String db, Exception why) {
        FailureCheck check = checks.get(db);
        if (check != null) {
            if (why == null) {
                check.succeeded();
            } else {
                check.failed(why);
            }
        }
    }

    @Override
    public void storageListed(String db, List<BlobInfo> listing, long nanos) {
        on(list, db, null);
    }

    @Override
    public void storageLoaded(String db, String name, long bytes, long nanos) {
        on(load, db, null);
    }

    @Override
    public void storageStored(String db, String name, long bytes, long nanos) {
        on(store, db, null);
    }

    @Override
    public void storageFailed(String db, StorageOperation operation, String name, Exception why) {
        on(switch (operation) {
            case LIST -> list;
            case LOAD -> load;
            case STORE -> store;
        }, db, why);
    }

    @Override
    public void firstPassDone(String db) {
        StartCheck check = start.get(db);
        if (check != null && !check.done) {
            check.done = true;
            log.info("db {}: startup phase completed successfully", db);
        }
    }
}
