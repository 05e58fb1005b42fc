package io.thunderstream.engine.merge;

import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.EntryPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the merge of a large checked snapshot is cut in two, each half compared on a thread of
 * its own: an entry of its largest DBI, chosen so that the upper half (the rest of that DBI) holds
 * about half of all the snapshot's entries, the lower half the others, and both threads end
 * together. The upper half starts reading there
 * ({@link SnapshotReader#resume}); the lower half skips from there to the DBI's end
 * ({@link SnapshotReader#skipRestOfDbi}). {@link SnapshotCheck} finds it with {@link Sampler}
 * while it reads the snapshot anyway.
 *
 * @param at the first entry of the upper half
 */
public record SplitPoint(EntryPosition at) {

    /** DBIs with fewer entries are compared on one thread: a second one would cost more than it gains. */
    static final long MIN_ENTRIES = 100_000;

    public String dbiName() {
        return at.dbiName();
    }

    /**
     * The cut of the largest DBI that leaves about half of all entries to each half.
     *
     * @param largest    the sampler of the snapshot's largest DBI
     * @param allEntries the entries of all the snapshot's DBIs
     * @return the cut, or null when that DBI is too small to be worth a second thread
     */
    static SplitPoint balancing(Sampler largest, long allEntries) {
        if (largest == null || largest.entries() < MIN_ENTRIES) {
            return null;
        }
        return new SplitPoint(largest.nearest(Math.max(0, largest.entries() - allEntries / 2)));
    }

    /** Evenly spaced entries of one DBI, at most {@code SAMPLES}, told every entry in order, for the one nearest a given entry. */
    static final class Sampler {
        private static final int SAMPLES = 64;

        private final List<EntryPosition> samples = new ArrayList<>(SAMPLES);
        private long step = 1;
        private long untilNext = 1;
        private long entries;

        void add(SnapshotReader reader) {
            entries++;
            if (--untilNext > 0) {
                return;
            }
            if (samples.size() == SAMPLES) { // every other one: half as many, twice as far apart
                for (int i = 0; i < SAMPLES / 2; i++) {
                    samples.set(i, samples.get(2 * i));
                }
                samples.subList(SAMPLES / 2, SAMPLES).clear();
                step *= 2;
            }
            samples.add(reader.entryPosition());
            untilNext = step;
        }

        long entries() {
            return entries;
        }

        /** The sampled entry nearest the entry of that index (sample i is entry i * step); null when no entry was told. */
        EntryPosition nearest(long entryIndex) {
            if (samples.isEmpty()) {
                return null;
            }
            return samples.get((int) Math.min(samples.size() - 1, (entryIndex + step / 2) / step));
        }
    }
}
