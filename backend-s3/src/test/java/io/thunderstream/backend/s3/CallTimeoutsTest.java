package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's {@code client_timeout} task goes when the call ends; the SDK's own scheduler kept it for the whole timeout. */
class CallTimeoutsTest {

    @Test
    void finishedCallsLeaveNoTimeoutTaskQueued() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        String bucket = server.newBucket();
        try (S3Backend backend = S3Backend.open(S3Options.from(StorageConfig.of("s3", server.options(bucket))), List.of())) {
            backend.write("x", new byte[] {1});
            for (int i = 0; i < 200; i++) {
                assertThat(backend.list("")).hasSize(1);
            }
            assertThat(backend.queuedCallTimeouts()).isZero();
        } finally {
            server.deleteBucket(bucket);
        }
    }
}
