package io.thunderstream.engine.config;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.thunderstream.api.ConfigValues.formatDuration;

/**
 * Writes the effective config as YAML in LS's key order, every default filled in, secrets
 * masked. The output loads again to an equal config (apart from the masked values).
 */
final class ConfigWriter {

    private static final String[] SIZE_UNITS = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};

    private final YAMLGenerator out;

    private ConfigWriter(YAMLGenerator out) {
        this.out = out;
    }

    static String toMaskedYaml(ThunderstreamConfig config) {
        StringWriter text = new StringWriter();
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        try (YAMLGenerator generator = (YAMLGenerator) factory.createGenerator(text)) {
            new ConfigWriter(generator).write(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private void write(ThunderstreamConfig c) throws IOException {
        out.writeStartObject();
        string("instance", c.instance());
        out.writeObjectFieldStart("lmdbs");
        for (LmdbConfig lmdb : c.lmdbs().values()) {
            out.writeObjectFieldStart(lmdb.name());
            writeLmdb(lmdb);
            out.writeEndObject();
        }
        out.writeEndObject();

        SweeperConfig sweeper = c.sweeper();
        out.writeObjectFieldStart("sweeper");
        bool("enabled", sweeper.enabled());
        out.writeFieldName("retention_days");
        out.writeNumber(sweeper.retentionDays() == Math.rint(sweeper.retentionDays())
                ? Long.toString((long) sweeper.retentionDays()) : Double.toString(sweeper.retentionDays()));
        duration("interval", sweeper.interval());
        duration("first_interval", sweeper.firstInterval());
        duration("lock_duration", sweeper.lockDuration());
        duration("release_duration", sweeper.releaseDuration());
        duration("retention_load_cutoff_duration", sweeper.retentionLoadCutoffDuration());
        out.writeEndObject();

        writeStorage(c.storage());

        out.writeObjectFieldStart("http");
        string("address", c.http().address());
        out.writeEndObject();

        out.writeObjectFieldStart("log");
        string("level", c.log().level().configName());
        string("format", c.log().format().configName());
        string("timestamp", c.log().timestamp().configName());
        out.writeEndObject();

        out.writeObjectFieldStart("health");
        thresholds("storage_list", c.health().storageList());
        thresholds("storage_load", c.health().storageLoad());
        thresholds("storage_store", c.health().storageStore());
        StartHealthConfig start = c.health().start();
        out.writeObjectFieldStart("start");
        duration("interval", start.interval());
        duration("warn_duration", start.warnDuration());
        duration("error_duration", start.errorDuration());
        bool("report_healthz", start.reportHealthz());
        bool("report_metadata", start.reportMetadata());
        out.writeEndObject();
        out.writeEndObject();

        duration("lmdb_poll_interval", c.lmdbPollInterval());
        duration("lmdb_log_stats_interval", c.lmdbLogStatsInterval());
        bool("lmdb_scrape_smaps", c.lmdbScrapeSmaps());
        duration("storage_poll_interval", c.storagePollInterval());
        duration("storage_retry_interval", c.storageRetryInterval());
        number("storage_retry_count", c.storageRetryCount());
        bool("storage_retry_forever", c.storageRetryForever());
        duration("storage_force_snapshot_interval", c.storageForceSnapshotInterval());
        number("memory_downloaded_snapshots", c.memoryDownloadedSnapshots());
        number("memory_decompressed_snapshots", c.memoryDecompressedSnapshots());
        bool("only_once", c.onlyOnce());
        out.writeEndObject();
    }

    private void writeLmdb(LmdbConfig lmdb) throws IOException {
        string("path", lmdb.path());
        LmdbOptions options = lmdb.options();
        out.writeObjectFieldStart("options");
        bool("no_subdir", options.noSubdir());
        bool("create", options.create());
        string("map_size", formatSize(options.mapSize()));
        number("max_dbs", options.maxDbs());
        // Octal with a leading 0 as in LS configs; the YAML writer quotes it, which we read back alike.
        string("dir_mask", "0" + Integer.toOctalString(options.dirMask()));
        string("file_mask", "0" + Integer.toOctalString(options.fileMask()));
        out.writeEndObject();
        bool("schema_tracks_changes", lmdb.schemaTracksChanges());
        bool("dupsort_hack", lmdb.dupsortHack());
        bool("header_extra_padding_block", lmdb.headerExtraPaddingBlock());
        out.writeObjectFieldStart("dbi_options");
        for (Map.Entry<String, DbiOptions> dbi : lmdb.dbiOptions().entrySet()) {
            out.writeObjectFieldStart(dbi.getKey());
            if (dbi.getValue().overrideCreateFlags().isPresent()) {
                string("override_create_flags", DbiOptions.formatFlags(dbi.getValue().overrideCreateFlags().getAsInt()));
            }
            out.writeEndObject();
        }
        out.writeEndObject();
        duration("merge_lock_duration", lmdb.mergeLockDuration());
    }

    private void writeStorage(StorageSettings storage) throws IOException {
        out.writeObjectFieldStart("storage");
        if (storage.backend().type().isPresent()) {
            string("type", storage.backend().type().get());
        }
        if (storage.backend().url().isPresent()) {
            string("url", Secrets.maskUrl(storage.backend().url().get().toString()));
        }
        out.writeFieldName("options");
        plain(Secrets.maskOptions(storage.backend().options()));
        CleanupConfig cleanup = storage.cleanup();
        out.writeObjectFieldStart("cleanup");
        bool("enabled", cleanup.enabled());
        duration("interval", cleanup.interval());
        duration("must_keep_interval", cleanup.mustKeepInterval());
        duration("remove_old_instances_interval", cleanup.removeOldInstancesInterval());
        out.writeEndObject();
        out.writeEndObject();
    }

    /** Free-form option values as they came from YAML: maps, lists, strings, numbers, booleans. */
    private void plain(Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeFieldName(String.valueOf(entry.getKey()));
                plain(entry.getValue());
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object item : list) {
                plain(item);
            }
            out.writeEndArray();
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Long || value instanceof Integer) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double d) {
            out.writeNumber(d);
        } else if (value == null) {
            out.writeNull();
        } else {
            out.writeString(value.toString());
        }
    }

    private void thresholds(String name, HealthThresholds thresholds) throws IOException {
        out.writeObjectFieldStart(name);
        duration("interval", thresholds.interval());
        duration("warn_duration", thresholds.warnDuration());
        duration("error_duration", thresholds.errorDuration());
        out.writeEndObject();
    }

    private void string(String name, String value) throws IOException {
        out.writeStringField(name, value);
    }

    private void bool(String name, boolean value) throws IOException {
        out.writeBooleanField(name, value);
    }

    private void number(String name, long value) throws IOException {
        out.writeNumberField(name, value);
    }

    private void duration(String name, Duration value) throws IOException {
        out.writeStringField(name, formatDuration(value));
    }

    /** A size in the largest binary unit that holds it exactly: 16000MB, 1GB, 4097B. */
    static String formatSize(long bytes) {
        int unit = 0;
        long value = bytes;
        while (value != 0 && value % 1024 == 0 && unit < SIZE_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return value + SIZE_UNITS[unit];
    }
}
