package io.thunderstream.engine.config;

import java.time.Duration;

/**
 * The storage cleaner: {@code storage.cleanup}. Off by default.
 *
 * @param enabled                    run the cleaner
 * @param interval                   time between cleaning runs (randomly perturbed)
 * @param mustKeepInterval           a snapshot first seen less than this long ago is never deleted
 * @param removeOldInstancesInterval the newest snapshot of an instance that has written nothing
 *                                   for this long may be deleted, once this instance has merged
 *                                   it and stored a snapshot of its own
 */
public record CleanupConfig(boolean enabled, Duration interval, Duration mustKeepInterval,
        Duration removeOldInstancesInterval) {

    private static final CleanupConfig DEFAULTS = new CleanupConfig(false, Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofHours(168));

    public static CleanupConfig defaults() {
        return DEFAULTS;
    }
}
