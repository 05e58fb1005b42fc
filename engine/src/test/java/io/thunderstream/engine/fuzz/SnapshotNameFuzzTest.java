package io.thunderstream.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.thunderstream.engine.snapshot.SnapshotName;
import java.util.Optional;

/**
 * The snapshot name parser on arbitrary strings: never throws (a name that does not parse is
 * ignored), and a parsed name prints back to a name that parses to the same.
 */
class SnapshotNameFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String name = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        Optional<SnapshotName> parsed = SnapshotName.parse(name);
        if (parsed.isPresent()) {
            Optional<SnapshotName> again = SnapshotName.parse(parsed.get().toString());
            if (!again.equals(parsed)) {
                throw new AssertionError("'" + name + "' parsed to " + parsed.get() + ", which parses to " + again);
            }
        }
    }
}
