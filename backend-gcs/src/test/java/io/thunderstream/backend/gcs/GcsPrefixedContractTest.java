package io.thunderstream.backend.gcs;

/** The contract again under a global prefix and with the update marker. */
class GcsPrefixedContractTest extends GcsContractTest {

    @Override
    protected GcsOptions options() {
        return GcsOptions.forClient("bucket", "env/x-", true, 1 << 20);
    }
}
