package io.thunderstream.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One LMDB to sync: {@code lmdbs.<name>}.
 *
 * @param name                    the key under {@code lmdbs}; the first part of snapshot names,
 *                                so it must be the same on every instance
 * @param path                    the environment's directory, or its data file with {@code no_subdir}
 * @param options                 how to open the environment
 * @param schemaTracksChanges     native mode: every value carries the LS header (PowerDNS 4.8+);
 *                                false: shadow mode with {@code _sync_shadow_*} DBIs
 * @param dupsortHack             shadow mode only: sync DUPSORT DBIs with the {@code dupsort_hack_v1} transform
 * @param headerExtraPaddingBlock native mode, for testing applications: write headers with one
 *                                8-byte extension block
 * @param dbiOptions              per-DBI settings by DBI name, in config order
 * @param mergeLockDuration       (Thunderstream) how long one merge may hold the write lock before
 *                                it commits and continues in a new transaction; zero merges a
 *                                snapshot in one transaction
 */
public record LmdbConfig(String name, String path, LmdbOptions options, boolean schemaTracksChanges,
        boolean dupsortHack, boolean headerExtraPaddingBlock, Map<String, DbiOptions> dbiOptions,
        Duration mergeLockDuration) {

    public static final Duration DEFAULT_MERGE_LOCK_DURATION = Duration.ofMillis(50);

    public LmdbConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(mergeLockDuration, "mergeLockDuration");
        dbiOptions = Collections.unmodifiableMap(new LinkedHashMap<>(dbiOptions));
    }

    /** An LMDB with LS's defaults: an existing environment in a directory, shadow mode. */
    public static LmdbConfig of(String name, String path) {
        return new LmdbConfig(name, path, LmdbOptions.defaults(), false, false, false, Map.of(),
                DEFAULT_MERGE_LOCK_DURATION);
    }

    public LmdbConfig withOptions(LmdbOptions options) {
        return new LmdbConfig(name, path, options, schemaTracksChanges, dupsortHack, headerExtraPaddingBlock,
                dbiOptions, mergeLockDuration);
    }

    public LmdbConfig withSchemaTracksChanges(boolean schemaTracksChanges) {
        return new LmdbConfig(name, path, options, schemaTracksChanges, dupsortHack, headerExtraPaddingBlock,
                dbiOptions, mergeLockDuration);
    }

    /** The environment's data file: the path itself with {@code no_subdir}, else {@code data.mdb} in it. */
    public Path dataFile() {
        Path configured = Path.of(path);
        return options.noSubdir() ? configured : configured.resolve("data.mdb");
    }

    /** The settings of a DBI, {@link DbiOptions#none()} when it has none. */
    public DbiOptions dbiOptions(String dbi) {
        return dbiOptions.getOrDefault(dbi, DbiOptions.none());
    }
}
