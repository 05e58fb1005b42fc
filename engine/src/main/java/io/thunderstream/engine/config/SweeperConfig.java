package io.thunderstream.engine.config;

import java.time.Duration;

/**
 * The tombstone sweeper: {@code sweeper}. Off by default: deleted entries are kept forever.
 *
 * @param enabled                     run the sweeper
 * @param retentionDays               deleted entries older than this many days are removed (may be fractional)
 * @param interval                    time between sweeps
 * @param firstInterval               time from start to the first sweep
 * @param lockDuration                the longest the sweeper holds the write lock at a time
 * @param releaseDuration             the pause between two lock holds
 * @param retentionLoadCutoffDuration remote tombstones older than retention minus this are not
 *                                    merged; zero means 1 % of the retention
 */
public record SweeperConfig(boolean enabled, double retentionDays, Duration interval, Duration firstInterval,
        Duration lockDuration, Duration releaseDuration, Duration retentionLoadCutoffDuration) {

    private static final SweeperConfig DEFAULTS = new SweeperConfig(false, 370, Duration.ofHours(6),
            Duration.ofMinutes(10), Duration.ofMillis(50), Duration.ofMillis(50), Duration.ZERO);

    public static SweeperConfig defaults() {
        return DEFAULTS;
    }

    /** {@code retention_days} as a duration. */
    public Duration retention() {
        return Duration.ofNanos((long) (retentionDays * 86_400e9));
    }

    /**
     * How old a remote tombstone may be and still be merged: the retention minus the load
     * cutoff (1 % of the retention by default, at most 75 % of it), as LS computes it.
     */
    public Duration retentionMinusCutoff() {
        Duration retention = retention();
        if (retentionLoadCutoffDuration.isZero()) {
            return retention.minus(retention.dividedBy(100));
        }
        Duration most = retention.multipliedBy(3).dividedBy(4);
        return retention.minus(retentionLoadCutoffDuration.compareTo(most) > 0 ? most : retentionLoadCutoffDuration);
    }
}
