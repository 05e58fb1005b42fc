package io.thunderstream.backend.gcs;

import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;

/**
 * The api contract against Google's in-process fake ({@code LocalStorageHelper}), with 1 MiB
 * chunks so that large writes go through resumable uploads. The fake shows an object as soon as
 * a resumable session opens; {@link FinalizeOnCloseStorage} gives it GCS's finalize-on-close
 * behaviour. {@code GcsBackendTest} runs the SDK's own resumable path against the bare fake.
 */
class GcsContractTest extends StorageBackendContractTest {

    protected GcsOptions options() {
        return GcsOptions.forClient("bucket", "", false, 1 << 20);
    }

    @Override
    protected StorageBackend openEmptyBackend() throws Exception {
        // customOptions(false): a fresh, empty fake per test that ignores options it does not model.
        return GcsBackend.open(options(), FinalizeOnCloseStorage.wrap(LocalStorageHelper.customOptions(false).getService()));
    }
}
