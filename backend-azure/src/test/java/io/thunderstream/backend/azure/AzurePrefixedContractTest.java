package io.thunderstream.backend.azure;

import java.util.Map;

/** The contract again with parallel block uploads, a global prefix and the update marker. */
class AzurePrefixedContractTest extends AzureContractTest {

    @Override
    protected Map<String, Object> extraOptions() {
        return Map.of("global_prefix", "env/x-", "use_update_marker", true, "concurrency", 4);
    }
}
