package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A download that becomes ready is merged at once, not at the next lmdb_poll_interval. */
class EarlyMergeTest {

    private static final long T = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aReadyDownloadIsMergedWithoutWaitingForTheLmdbPoll() throws Exception {
        try (StorageBackend storage = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("memory", Map.of()));
                SyncTestInstance a = new SyncTestInstance("a", dir.resolve("a"), storage, false, "data");
                SyncTestInstance b = new SyncTestInstance("b", dir.resolve("b"), storage, true, "data")) {
            a.start();
            // B looks at its LMDB once an hour, but polls the storage every 100 ms.
            b.settings("""
                    lmdb_poll_interval: 1h
                    storage_poll_interval: 100ms
                    storage_retry_interval: 100ms
                    """).start();
            a.app.put("data", "key", "from-a", T);
            Await.until("B merged A's write", Duration.ofSeconds(20), () -> "from-a".equals(b.app.get("data", "key")));
            assertThat(b.merged).isNotEmpty();
        }
    }
}
