package io.thunderstream.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code client_timeout} ends a call, on the backend's own scheduler, and a call's timeout task
 * goes when the call ends; the SDK's own scheduler kept it for the whole timeout.
 */
class CallTimeoutsTest {

    private static S3Backend open(Map<String, Object> options) throws StorageException {
        return S3Backend.open(S3Options.from(StorageConfig.of("s3", options)), List.of());
    }

    @Test
    void finishedCallsLeaveNoTimeoutTaskQueued() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        String bucket = server.newBucket();
        try (S3Backend backend = open(server.options(bucket))) {
            backend.write("x", new byte[] {1});
            for (int i = 0; i < 200; i++) {
                assertThat(backend.list("")).hasSize(1);
            }
            assertThat(backend.callTimeouts().getQueue()).isEmpty();
        } finally {
            server.deleteBucket(bucket);
        }
    }

    @Test
    void aCallToAServerThatNeverAnswersEndsAtClientTimeout() throws Exception {
        // The kernel accepts connections into the backlog; nothing ever reads or answers them.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<String, Object> options = S3ProxyServer.get().options("bucket");
            options.put("endpoint_url", "http://127.0.0.1:" + silent.getLocalPort());
            options.put("client_timeout", "1s");
            try (S3Backend backend = open(options)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> backend.list("")).isInstanceOf(StorageException.class)
                        .hasMessageContaining("1000 millis");
                // Well before the HTTP client's own 30 s socket timeout, by the backend's scheduler.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
                assertThat(backend.callTimeouts().getCompletedTaskCount()).isEqualTo(1);
            }
        }
    }
}
