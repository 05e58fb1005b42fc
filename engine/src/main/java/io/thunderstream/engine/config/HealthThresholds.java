package io.thunderstream.engine.config;

import java.time.Duration;

/**
 * When {@code /healthz} reports a failing storage operation: {@code health.storage_list},
 * {@code health.storage_load}, {@code health.storage_store}.
 *
 * @param interval      time between evaluations (at least 1s: shorter values are raised, as in LS)
 * @param warnDuration  failing this long reports a warning
 * @param errorDuration failing this long reports an error
 */
public record HealthThresholds(Duration interval, Duration warnDuration, Duration errorDuration) {

    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private static final HealthThresholds DEFAULTS = new HealthThresholds(Duration.ofSeconds(5),
            Duration.ofMinutes(1), Duration.ofMinutes(5));

    public HealthThresholds {
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            interval = MIN_INTERVAL;
        }
    }

    public static HealthThresholds defaults() {
        return DEFAULTS;
    }
}
