package io.thunderstream.engine.sync;

/** Wall-clock time in nanoseconds, replaceable in tests. */
@FunctionalInterface
public interface Clock {

    long nanosSinceEpoch();

    /** The system clock, at the best precision the platform gives. */
    Clock SYSTEM = () -> {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
}
