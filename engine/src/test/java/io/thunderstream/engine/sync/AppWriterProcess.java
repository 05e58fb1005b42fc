package io.thunderstream.engine.sync;

import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.file.Path;

/**
 * An application in a process of its own writing to a native-mode LMDB, one transaction per key,
 * as PowerDNS does next to a syncer. Arguments: LMDB directory, DBI, key count.
 */
public final class AppWriterProcess {

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String dbi = args[1];
        int count = Integer.parseInt(args[2]);
        try (NativeLmdb lmdb = NativeLmdb.open(dir, dbi)) {
            for (int i = 0; i < count; i++) {
                java.time.Instant now = java.time.Instant.now();
                lmdb.put(dbi, String.format("key-%06d", i), "value-" + i, now.getEpochSecond() * 1_000_000_000L + now.getNano());
            }
        }
        System.out.println("wrote " + count);
    }
}
