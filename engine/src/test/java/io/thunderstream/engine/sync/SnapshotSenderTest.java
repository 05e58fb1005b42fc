package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.lmdb.ValueHeaderException;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Txn;

class SnapshotSenderTest {

    @TempDir
    Path dir;

    /**
     * The encoder fails after a whole DBI was written (the second DBI has a value without a
     * header). Whatever the timing between encoder and upload, no blob may remain: a stored
     * prefix would be a valid snapshot missing data.
     */
    @Test
    void anEncoderFailureNeverLeavesAStoredSnapshot() throws Exception {
        try (NativeLmdb app = NativeLmdb.open(dir.resolve("lmdb"), "a-good", "b-bad");
                StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                        .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())))) {
            for (int i = 0; i < 500; i++) {
                app.put("a-good", "key-" + i, "value-" + i, 1_700_000_000_000_000_000L + i);
            }
            try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
                var dbi = app.env().openDbi(txn, "b-bad".getBytes(), null, false);
                dbi.put(txn, ByteBuffer.allocateDirect(1).put((byte) 'x').flip(), ByteBuffer.allocateDirect(2).put(new byte[2]).flip());
                txn.commit();
            }
            SnapshotSender sender = new SnapshotSender(app.lmdb(), bucket, "node-a", "host", Clock.SYSTEM);
            for (int attempt = 0; attempt < 30; attempt++) {
                assertThatThrownBy(sender::send).isInstanceOf(ValueHeaderException.class).hasMessageContaining("b-bad");
                assertThat(bucket.list("")).as("attempt %d", attempt).isEmpty();
            }
        }
    }
}
