package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackendContractTest;
import io.thunderstream.api.StorageConfig;
import org.junit.jupiter.api.AfterEach;

/** The api's contract, against S3Proxy over HTTP with the default 16 MiB multipart threshold. */
class S3BackendContractTest extends StorageBackendContractTest {

    private String bucket;

    @Override
    protected StorageBackend openEmptyBackend() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        bucket = server.newBucket();
        return new S3BackendProvider().create(StorageConfig.of("s3", server.options(bucket)));
    }

    @AfterEach
    void dropBucket() throws Exception {
        S3ProxyServer.get().deleteBucket(bucket);
    }
}
