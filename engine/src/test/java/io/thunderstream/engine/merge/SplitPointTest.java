package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.engine.snapshot.SnapshotReader;
import io.thunderstream.engine.snapshot.SnapshotReader.EntryPosition;
import io.thunderstream.engine.snapshot.SnapshotReader.Event;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the check cuts a large snapshot's merge in two, and the reader's two ways around the cut. */
class SplitPointTest {

    private static final long T = 1_700_000_000_000_000_000L;

    private static Dbi dbi(String name, int entries) {
        return Dbi.numbered(name, entries, T);
    }

    private static InputStream protobuf(byte[] gzip) throws IOException {
        return new GZIPInputStream(new ByteArrayInputStream(gzip));
    }

    private static String key(SnapshotReader reader) {
        return StandardCharsets.UTF_8.decode(reader.key()).toString();
    }

    @ParameterizedTest(name = "{0} entries")
    @ValueSource(ints = {1, 63, 64, 65, 1000, 150_000})
    void theSampleNearestAnEntryIsNearIt(int entries) throws IOException {
        SplitPoint.Sampler sampler = new SplitPoint.Sampler();
        try (SnapshotReader reader = new SnapshotReader(protobuf(TestSnapshots.gzip("main", "remote", dbi("data", entries))))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY) {
                    sampler.add(reader);
                }
            }
        }
        assertThat(sampler.entries()).isEqualTo(entries);
        // 32 to 64 samples, evenly spaced, the first at entry 0: the nearest is within 1/32 of the entries.
        for (long index : new long[] {0, entries / 3, entries / 2, entries - 1}) {
            assertThat((double) sampler.nearest(index).entryIndex()).as("nearest %d", index)
                    .isCloseTo(index, Offset.offset(entries / 32.0 + 1));
        }
        assertThat(sampler.nearest(0).entryIndex()).isZero();
    }

    @Test
    void aSamplerToldNothingHasNoSample() {
        assertThat(new SplitPoint.Sampler().nearest(0)).isNull();
    }

    /** The check of a download, keeping the decompressed protobuf for the merge, as the receiver runs it. */
    private static SnapshotSource checkedDecompressed(byte[] bytes, SnapshotSpool spool) throws IOException {
        return SnapshotCheck.check(SnapshotSource.of("s", bytes), "main", 511, SnapshotCheck.NATIVE_RULES, spool);
    }

    /** Where the check of {@code dbis}, decompressed into a spool, cuts the snapshot. */
    private static SplitPoint split(Dbi... dbis) throws IOException {
        try (SnapshotSpool spool = SnapshotSpool.tempFile("split-point-test-")) {
            return checkedDecompressed(TestSnapshots.gzip("main", "remote", dbis), spool).splitPoint().orElseThrow();
        }
    }

    @Test
    void theCheckCutsTheLargestDbiOfAtLeastTheMinimumSoThatEachHalfHoldsHalfOfAllEntries() throws IOException {
        int large = (int) SplitPoint.MIN_ENTRIES + 2000;
        SplitPoint split = split(dbi("small", 1000), dbi("large", large), dbi("smaller", 10));
        assertThat(split.dbiName()).isEqualTo("large");
        long upper = (1000 + large + 10) / 2;
        assertThat(split.at().entryIndex()).isBetween(large - upper - large / 32, large - upper + large / 32);

        // PowerDNS's shape: the records and a tenth as many domains before them. In the middle of
        // the records, the thread of the lower half would also compare all the domains and end last.
        split = split(dbi("domains_v5", 15_000), dbi("records_v5", 150_000));
        assertThat(split.dbiName()).isEqualTo("records_v5");
        assertThat(split.at().entryIndex()).isBetween(67_500L - 150_000 / 32, 67_500L + 150_000 / 32);
    }

    @Test
    void aLargestDbiOfLessThanHalfOfAllEntriesIsTheUpperHalfWhole() throws IOException {
        SplitPoint split = split(dbi("a", 100_000), dbi("b", 110_000), dbi("c", 100_000));
        assertThat(split.dbiName()).isEqualTo("b");
        assertThat(split.at().entryIndex()).isZero();
    }

    @Test
    void aCompressedSnapshotIsNotCut() throws IOException {
        byte[] bytes = TestSnapshots.gzip("main", "remote", dbi("large", (int) SplitPoint.MIN_ENTRIES + 2000));
        // Read compressed, the upper half could not skip to its start.
        assertThat(SnapshotCheck.check(SnapshotSource.of("s", bytes), "main", 511).splitPoint()).isEmpty();
    }

    @Test
    void aSnapshotWithoutALargeDbiIsNotCut() throws IOException {
        byte[] bytes = TestSnapshots.gzip("main", "remote", dbi("small", 1000),
                dbi("almost", (int) SplitPoint.MIN_ENTRIES - 1));
        try (SnapshotSpool spool = SnapshotSpool.tempFile("split-point-test-")) {
            assertThat(checkedDecompressed(bytes, spool).splitPoint()).isEmpty();
        }
    }

    @Test
    void aReaderResumedAtAnEntryReadsTheRestOfItsDbiAndTheOtherSkipsIt() throws IOException {
        byte[] bytes = TestSnapshots.gzip("main", "remote", dbi("a", 3), dbi("b", 5000), dbi("c", 2));
        EntryPosition at = null;
        List<String> everything = new ArrayList<>();
        try (SnapshotReader reader = new SnapshotReader(protobuf(bytes))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY) {
                    everything.add(reader.dbiName() + "/" + key(reader));
                    if (reader.dbiName().equals("b") && reader.entryIndex() == 3210) {
                        at = reader.entryPosition();
                    }
                }
            }
        }

        List<String> upper = new ArrayList<>();
        try (SnapshotReader reader = SnapshotReader.resume(protobuf(bytes), at)) {
            Event e;
            while ((e = reader.next()) == Event.ENTRY) {
                upper.add(reader.dbiName() + "/" + key(reader));
            }
            assertThat(e).isEqualTo(Event.DBI_END);
            assertThat(reader.next()).isEqualTo(Event.END);
        }
        assertThat(upper).hasSize(5000 - 3210).startsWith("b/key-003210").endsWith("b/key-004999");

        List<String> lower = new ArrayList<>();
        try (SnapshotReader reader = new SnapshotReader(protobuf(bytes))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY && reader.dbiName().equals("b") && reader.entryIndex() == at.entryIndex()) {
                    reader.skipRestOfDbi();
                } else if (e == Event.ENTRY) {
                    lower.add(reader.dbiName() + "/" + key(reader));
                }
            }
        }
        List<String> both = new ArrayList<>(lower);
        both.addAll(lower.size() - 2, upper); // c's two entries come after b's
        assertThat(both).isEqualTo(everything);
    }

    @Test
    void aReaderSkipsToALaterEntryInItsBufferOrBeyondItAndReadsTheDbisFieldsAfterTheEntries() throws IOException {
        // 20,000 entries of about 40 bytes: more than the reader's 256 KiB buffer.
        Dbi numbered = dbi("b", 20_000);
        byte[] bytes = TestSnapshots.gzip("main", "remote", new Dbi("b", 16, "some-transform", numbered.entries()),
                dbi("c", 2));
        List<EntryPosition> positions = new ArrayList<>();
        try (SnapshotReader reader = new SnapshotReader(protobuf(bytes))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY && reader.dbiName().equals("b")) {
                    positions.add(reader.entryPosition());
                }
            }
        }

        List<String> read = new ArrayList<>();
        try (SnapshotReader reader = new SnapshotReader(protobuf(bytes))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e == Event.ENTRY) {
                    read.add(reader.dbiName() + "/" + key(reader) + "#" + reader.entryIndex());
                    if (reader.dbiName().equals("b") && reader.entryIndex() == 10) {
                        reader.skipTo(positions.get(12)); // in the buffer
                    } else if (reader.dbiName().equals("b") && reader.entryIndex() == 12) {
                        reader.skipTo(positions.get(19_998)); // beyond it
                    }
                } else if (e == Event.DBI_END && reader.dbiName().equals("b")) {
                    assertThat(reader.dbiFlags()).isEqualTo(16);
                    assertThat(reader.dbiTransform()).isEqualTo("some-transform");
                }
            }
        }
        assertThat(read).hasSize(11 + 1 + 2 + 2).containsSubsequence("b/key-000010#10", "b/key-000012#12",
                "b/key-019998#19998", "b/key-019999#19999", "c/key-000000#0", "c/key-000001#1");
    }

    @Test
    void aReaderDoesNotSkipBackOrToAnotherDbi() throws IOException {
        byte[] bytes = TestSnapshots.gzip("main", "remote", dbi("a", 3), dbi("b", 3));
        EntryPosition first = null;
        int refused = 0;
        try (SnapshotReader reader = new SnapshotReader(protobuf(bytes))) {
            for (Event e; (e = reader.next()) != Event.END; ) {
                if (e != Event.ENTRY) {
                    continue;
                }
                if (first == null) {
                    first = reader.entryPosition();
                } else if (reader.entryIndex() == 1) { // a's second entry, then b's
                    EntryPosition back = first;
                    assertThatThrownBy(() -> reader.skipTo(back)).isInstanceOf(IllegalStateException.class);
                    refused++;
                }
            }
        }
        assertThat(refused).isEqualTo(2);
    }
}
