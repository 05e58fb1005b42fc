package io.thunderstream.backend.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MemoryBackendContractTest extends StorageBackendContractTest {

    @Override
    protected StorageBackend openEmptyBackend() {
        return new MemoryBackend("contract");
    }

    @Test
    void backendsOfOneNameShareTheirBlobs() throws IOException {
        StorageBackends installed = StorageBackends.discover(getClass().getClassLoader());
        StorageBackend first = installed.open(StorageConfig.ofUrl("memory://shared-bucket"));
        StorageBackend second = installed.open(StorageConfig.ofUrl("memory://shared-bucket"));
        StorageBackend other = installed.open(StorageConfig.ofUrl("memory://other-bucket"));
        first.write("blob", new byte[] {1});
        assertThat(second.readAllBytes("blob")).containsExactly(1);
        assertThat(other.list("")).isEmpty();
    }
}
