package io.thunderstream.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.thunderstream.engine.snapshot.SnapshotFormatException;
import io.thunderstream.engine.snapshot.SnapshotReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * The snapshot decoder on arbitrary bytes: it ends, or throws a {@link SnapshotFormatException}
 * (corrupt or incompatible); nothing else, no hang, no allocation beyond what the input holds.
 * Regression mode replays the corpus in {@code src/test/resources/.../SnapshotReaderFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes (the {@code fuzz} profile, docs/reliability.md).
 */
class SnapshotReaderFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void decode(byte[] input) throws IOException {
        boolean gzip = input.length > 0 && (input[0] & 1) == 1;
        ByteArrayInputStream in = new ByteArrayInputStream(input, 1, Math.max(0, input.length - 1));
        try (SnapshotReader reader = gzip ? SnapshotReader.openGzip(in) : new SnapshotReader(in)) {
            for (SnapshotReader.Event e; (e = reader.next()) != SnapshotReader.Event.END; ) {
                if (e == SnapshotReader.Event.ENTRY) {
                    reader.key();
                    reader.value();
                }
            }
        } catch (SnapshotFormatException expected) {
            // the documented refusal of a bad snapshot
        }
    }
}
