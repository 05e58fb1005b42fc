package io.thunderstream.engine.sweeper;

import java.time.Duration;

/**
 * What one sweep found, over the DBIs it swept.
 *
 * @param entries      entries left after the sweep, deleted ones included
 * @param deleted      deleted entries left (younger than the retention)
 * @param cleaned      deleted entries removed by this sweep
 * @param transactions write transactions used (one per slice)
 * @param duration     time the sweep took, pauses included
 * @param longestHold  the longest time a slice held the write lock, commit included
 * @param longestCommit the longest commit of a slice (its page writes and syncs: the disk's share of a hold)
 */
public record SweepStats(long entries, long deleted, long cleaned, long transactions, Duration duration, Duration longestHold,
        Duration longestCommit) {
}
