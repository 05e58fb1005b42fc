package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Syncer#close()} returns only when none of its storage calls is still running. */
class SyncerCloseTest {

    @TempDir
    Path dir;

    @Test
    void closeWaitsForAStorageListingInFlight() throws Exception {
        ThunderstreamConfig config = ThunderstreamConfig.parse("""
                instance: alpha
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: true
                storage:
                  type: memory
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                """.formatted(dir.resolve("lmdb")), Map.of());
        AtomicBoolean holdListings = new AtomicBoolean();
        CountDownLatch listingHeld = new CountDownLatch(1);
        CountDownLatch releaseListing = new CountDownLatch(1);
        AtomicBoolean listingReturned = new AtomicBoolean();
        try (StorageBackend bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())))) {
            StorageBackend storage = new StorageBackend() {
                @Override
                public List<BlobInfo> list(String prefix) throws IOException {
                    if (holdListings.get()) {
                        listingHeld.countDown();
                        try {
                            releaseListing.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        List<BlobInfo> blobs = bucket.list(prefix);
                        listingReturned.set(true);
                        return blobs;
                    }
                    return bucket.list(prefix);
                }

                @Override
                public InputStream read(String name) throws IOException {
                    return bucket.read(name);
                }

                @Override
                public void write(String name, InputStream data, long size) throws IOException {
                    bucket.write(name, data, size);
                }

                @Override
                public void delete(String name) throws IOException {
                    bucket.delete(name);
                }
            };
            Syncer syncer = Syncer.builder(config).storage(storage).build();
            syncer.start();
            syncer.awaitFirstPass(Duration.ofSeconds(30));
            holdListings.set(true);
            assertThat(listingHeld.await(30, TimeUnit.SECONDS)).as("a storage poll started listing").isTrue();

            AtomicReference<Boolean> returnedBeforeClose = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                try {
                    syncer.close();
                    returnedBeforeClose.set(listingReturned.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "closer");
            closer.start();
            // Grace for a close() that does not wait to return before the listing does; waiting is checked below.
            closer.join(1000);
            releaseListing.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(closer.isAlive()).as("close() returned").isFalse();
            assertThat(returnedBeforeClose.get()).as("the listing had returned when close() did").isTrue();
        }
    }
}
