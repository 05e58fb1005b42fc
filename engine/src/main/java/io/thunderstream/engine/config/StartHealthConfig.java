package io.thunderstream.engine.config;

import java.time.Duration;

/**
 * When {@code /healthz} reports an unfinished start (the first load of all snapshots):
 * {@code health.start}.
 *
 * @param interval       time between evaluations (at least 1s: shorter values are raised, as in LS)
 * @param warnDuration   starting this long reports a warning
 * @param errorDuration  starting this long reports an error
 * @param reportHealthz  count an unfinished start in the overall health, so that a node is not
 *                       marked ready before its first sync
 * @param reportMetadata report the start status per LMDB in the {@code startup_<db>} metadata field
 */
public record StartHealthConfig(Duration interval, Duration warnDuration, Duration errorDuration,
        boolean reportHealthz, boolean reportMetadata) {

    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private static final StartHealthConfig DEFAULTS = new StartHealthConfig(Duration.ofSeconds(1),
            Duration.ofMinutes(1), Duration.ofMinutes(5), false, true);

    public StartHealthConfig {
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            interval = MIN_INTERVAL;
        }
    }

    public static StartHealthConfig defaults() {
        return DEFAULTS;
    }
}
