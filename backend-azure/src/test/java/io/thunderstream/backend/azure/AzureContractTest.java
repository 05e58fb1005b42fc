package io.thunderstream.backend.azure;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The api contract against Azurite, with 1 MiB blocks so that every large write goes through
 * staged blocks and a commit, one block at a time (the LS default concurrency of 1).
 */
@ExtendWith(AzuriteExtension.class)
class AzureContractTest extends StorageBackendContractTest {

    private static final AtomicInteger CONTAINERS = new AtomicInteger();
    static Azurite azurite;

    @BeforeAll
    static void azurite(Azurite started) {
        azurite = started;
    }

    /** Options beyond the connection and the fresh container. */
    protected Map<String, Object> extraOptions() {
        return Map.of();
    }

    @Override
    protected StorageBackend openEmptyBackend() throws Exception {
        Map<String, Object> options = new HashMap<>(azurite.options(getClass().getSimpleName().toLowerCase()
                .replaceAll("[^a-z0-9]", "") + "-" + CONTAINERS.incrementAndGet()));
        options.putAll(extraOptions());
        AzureOptions parsed = AzureOptions.parse(StorageConfig.of("azure", options));
        return AzureBackend.open(parsed, 1 << 20);
    }
}
