package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.NativeLmdb.Entry;
import io.thunderstream.engine.testing.TestSnapshots;
import io.thunderstream.engine.testing.TestSnapshots.Dbi;
import io.thunderstream.engine.testing.TestSnapshots.Kv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The merge walks the snapshot and the local DBI side by side (a cursor stepping along, seeking
 * on a miss, appending past the last local key): random local and remote key sets, interleaved,
 * with tombstones, byte and integer keys, in one transaction and in tiny slices, must end exactly
 * as last writer wins says.
 */
class MergeJoinTest {

    private static final long T = 1_700_000_000_000_000_000L;
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    /** One side's entry of a key: its timestamp, and its value or null for a tombstone. */
    private record Side(long ts, String value) {
        Entry entry() {
            return new Entry(ts, value == null ? ValueHeader.FLAG_DELETED : 0,
                    value == null ? "" : HEX.formatHex(value.getBytes()));
        }
    }

    /**
     * @param split where the merge is cut in two halves compared side by side ({@link SplitPoint}):
     *              none, at the snapshot's first, middle or last entry
     */
    @ParameterizedTest(name = "seed {0}, integer keys {1}, lock {2} ns, split {3}")
    @CsvSource({"1, false, 0, none", "2, false, 1, none", "3, true, 0, none", "4, true, 1, none", "5, false, 50000000, none",
        "6, false, 0, middle", "7, false, 1, middle", "8, true, 0, middle", "9, true, 1, middle", "10, false, 0, first",
        "11, false, 1, first", "12, true, 50000000, last"})
    void mergesRandomInterleavedKeySetsAsLastWriterWinsSays(long seed, boolean integerKeys, long lockNanos, String split)
            throws IOException {
        Random random = new Random(seed);
        int keys = 3000;
        // Distinct timestamps: exactly one side wins every key.
        List<Long> timestamps = new ArrayList<>();
        for (int i = 0; i < 2 * keys; i++) {
            timestamps.add(T + i);
        }
        java.util.Collections.shuffle(timestamps, random);
        Map<Long, Side> local = new TreeMap<>(Long::compareUnsigned);
        Map<Long, Side> remote = new TreeMap<>(Long::compareUnsigned);
        for (int i = 0; i < keys; i++) {
            long k = integerKeys ? random.nextLong() : i;
            // Runs of keys on one side only, keys on both, and keys on neither.
            int shape = (i / (1 + random.nextInt(20))) % 4;
            if (shape == 0 || shape == 2) {
                local.put(k, new Side(timestamps.get(2 * i), random.nextInt(8) == 0 ? null : "local-" + i));
            }
            if (shape == 1 || shape == 2) {
                remote.put(k, new Side(timestamps.get(2 * i + 1), random.nextInt(8) == 0 ? null : "remote-" + i));
            }
        }
        long flags = integerKeys ? DbiFlags.INTEGERKEY : 0;

        try (NativeLmdb app = NativeLmdb.open(dir, "seed")) {
            LmdbEnvironment lmdb = app.lmdb();
            // The local side, merged in from a snapshot of its own (which creates the DBI with its flags).
            new SnapshotMerger(lmdb, false).merge(SnapshotSource.of("local", snapshot(flags, local, integerKeys)), 0);

            SnapshotSource source = SnapshotSource.of("remote", snapshot(flags, remote, integerKeys));
            MergeResult result;
            try (SnapshotSpool spool = SnapshotSpool.tempFile("merge-join-test-")) {
                if (!split.equals("none")) {
                    SnapshotSource checked = SnapshotCheck.check(source, "main", 511, SnapshotCheck.NATIVE_RULES, spool);
                    long at = switch (split) {
                        case "first" -> 0;
                        case "middle" -> remote.size() / 2;
                        default -> remote.size() - 1;
                    };
                    source = SnapshotSource.checked(checked, null, checked.checkedDbiFlags().orElseThrow(),
                            new SplitPoint(TestSnapshots.entryPosition(checked, "data", at)));
                }
                result = new SnapshotMerger(lmdb, false, Map.of(), Duration.ofNanos(lockNanos)).merge(source, 0);
            }

            Map<String, Entry> expected = new TreeMap<>();
            local.forEach((k, side) -> expected.put(HEX.formatHex(key(k, integerKeys)), side.entry()));
            long remoteWins = 0;
            for (var e : remote.entrySet()) {
                Side mine = local.get(e.getKey());
                if (mine == null || e.getValue().ts() > mine.ts()) {
                    expected.put(HEX.formatHex(key(e.getKey(), integerKeys)), e.getValue().entry());
                    remoteWins++;
                }
            }
            assertThat(app.contents().get("data")).isEqualTo(expected);
            assertThat(result.entriesWritten()).isEqualTo(remoteWins);
            assertThat(result.entriesRead()).isEqualTo(remote.size());
        }
    }

    private static byte[] snapshot(long flags, Map<Long, Side> entries, boolean integerKeys) {
        List<Kv> kvs = new ArrayList<>();
        entries.forEach((k, side) -> kvs.add(new Kv(key(k, integerKeys),
                side.value() == null ? new byte[0] : side.value().getBytes(), side.ts(),
                side.value() == null ? ValueHeader.FLAG_DELETED : 0)));
        return TestSnapshots.gzip("main", "test", new Dbi("data", flags, "", kvs));
    }

    /** Integer keys in native byte order, which LMDB sorts as unsigned numbers; others big-endian. */
    private static byte[] key(long k, boolean integerKey) {
        return ByteBuffer.allocate(8).order(integerKey ? ByteOrder.nativeOrder() : ByteOrder.BIG_ENDIAN).putLong(k).array();
    }
}
