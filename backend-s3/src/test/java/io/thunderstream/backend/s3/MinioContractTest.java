package io.thunderstream.backend.s3;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * The api's contract against a real MinIO in Docker, for developers' and users' machines.
 * Skipped with a message where Docker is not available (as in CI, which runs the S3Proxy tests).
 */
class MinioContractTest extends StorageBackendContractTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static MinIOContainer minio;

    @BeforeAll
    static void startMinio() {
        assumeTrue(dockerAvailable(), "Docker is not available: MinIO tests skipped (S3Proxy tests cover CI)");
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
