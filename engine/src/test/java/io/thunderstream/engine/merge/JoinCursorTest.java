package io.thunderstream.engine.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;

/** The join's cursor answers as a lookup from the root would, in whatever order keys are asked. */
class JoinCursorTest {

    private static final long T = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    private static ByteBuffer key(int i) {
        byte[] bytes = String.format("key-%04d", i).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @Test
    void keysAskedInOrderShuffledOrDescendingAreFoundAsALookupFindsThem() {
        try (NativeLmdb app = NativeLmdb.open(dir, "data")) {
            for (int i = 0; i < 200; i += 2) {
                app.put("data", String.format("key-%04d", i), "value-" + i, T);
            }
            // Odd keys are absent; keys from 200 on lie past the last one.
            List<Integer> ascending = new ArrayList<>();
            for (int i = 0; i < 210; i++) {
                ascending.add(i);
            }
            List<Integer> shuffled = new ArrayList<>(ascending);
            Collections.shuffle(shuffled, new Random(1));
            List<Integer> descending = new ArrayList<>(ascending);
            Collections.reverse(descending);
            // Past the end first, then keys before it: the cursor must look, not assume.
            List<Integer> pastEndThenBack = List.of(205, 207, 10, 201, 12, 13, 199, 198, 209);

            Dbi<ByteBuffer> dbi = app.env().openDbi("data");
            try (Txn<ByteBuffer> txn = app.env().txnRead()) {
                for (List<Integer> order : List.of(ascending, shuffled, descending, pastEndThenBack)) {
                    try (JoinCursor cursor = new JoinCursor(dbi, txn)) {
                        for (int i : order) {
                            ByteBuffer key = key(i);
                            assertThat(cursor.find(key, () -> key)).as("key %d, asked in order %s", i, order)
                                    .isEqualTo(dbi.get(txn, key));
                        }
                    }
                }
            }
        }
    }
}
