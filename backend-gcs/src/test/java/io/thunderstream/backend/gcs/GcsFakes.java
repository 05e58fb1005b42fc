package io.thunderstream.backend.gcs;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;

/**
 * GCS backends on Google's in-process fake, for the tests of other modules that sync through GCS
 * (published in this module's test-jar). No GCS emulator runs here without Docker.
 */
public final class GcsFakes {

    private GcsFakes() {
    }

    /**
     * A fresh, empty in-process bucket, with GCS's finalize-on-close uploads and 1 MiB chunks so
     * that large snapshots take the resumable path. Backends opened on the same {@code fake}
     * see the same objects: {@code open(shared)} for each instance of a sync test.
     */
    public static StorageBackend open(com.google.cloud.storage.Storage fake) throws StorageException {
        return GcsBackend.open(GcsOptions.forClient("bucket", "", false, 1 << 20), fake);
    }

    /** A new fake bucket store, shared by the backends opened on it. */
    public static com.google.cloud.storage.Storage newFake() {
        return FinalizeOnCloseStorage.wrap(LocalStorageHelper.customOptions(false).getService());
    }
}
