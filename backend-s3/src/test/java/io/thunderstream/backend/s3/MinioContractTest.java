package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * The api's contract against a real MinIO in Docker, for machines that have Docker. The build
 * machines do not (S3Proxy covers CI), so it runs only with {@code -Dthunderstream.docker=true},
 * and then fails if Docker is missing, like the other Docker tests.
 */
@Tag("docker") // outside the default run; -Dthunderstream.docker=true runs it (root pom, profile docker)
class MinioContractTest extends StorageBackendContractTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static MinIOContainer minio;

    @BeforeAll
    static void startMinio() {
        if (!dockerAvailable()) {
            throw new IllegalStateException("-Dthunderstream.docker=true but Docker is not available");
        }
        minio = new MinIOContainer("minio/minio:RELEASE.2024-12-18T13-15-44Z");
        minio.start();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Override
    protected StorageBackend openEmptyBackend() throws Exception {
        return new S3BackendProvider().create(StorageConfig.of("s3", Map.of(
                "endpoint_url", minio.getS3URL(),
                "access_key", minio.getUserName(),
                "secret_key", minio.getPassword(),
                "bucket", "contract-" + BUCKETS.incrementAndGet(),
                "create_bucket", true)));
    }
}
