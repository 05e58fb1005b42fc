package io.thunderstream.backend.s3;

import java.net.URI;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * One S3Proxy for the whole test JVM: in memory (jclouds {@code transient}), on a free loopback
 * port, with AWS signature authentication on. The accepted key pair can be changed while it runs
 * (for the rotation test); each test works in a bucket of its own. Public, and published in this
 * module's test-jar, for the tests of other modules that sync through S3; a test that stops the
 * server (an outage) takes one of its own with {@link #startPrivate()}.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "thunder-access";
    public static final String SECRET_KEY = "thunder-secret-DO-NOT-LEAK-42";

    private static S3ProxyServer instance;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private S3Proxy proxy;
    private final int port;
    final BlobStore blobStore;
    private volatile Map.Entry<String, String> keys = Map.entry(ACCESS_KEY, SECRET_KEY);

    private S3ProxyServer() throws Exception {
        Properties properties = new Properties();
        blobStore = ContextBuilder.newBuilder("transient").overrides(properties)
                .build(BlobStoreContext.class).getBlobStore();
        proxy = startProxy(0);
        port = proxy.getPort();
    }

    private S3Proxy startProxy(int onPort) throws Exception {
        S3Proxy p = S3Proxy.builder()
                .blobStore(blobStore)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + onPort))
                .build();
        p.setBlobStoreLocator((identity, container, blob) -> {
            Map.Entry<String, String> accepted = keys;
            return identity.equals(accepted.getKey())
                    ? new AbstractMap.SimpleEntry<>(accepted.getValue(), blobStore) : null;
        });
        p.start();
        while (!p.getState().equals("STARTED")) {
            Thread.onSpinWait();
        }
        return p;
    }

    /** The server shared by the whole test JVM; never stop it. */
    public static synchronized S3ProxyServer get() throws Exception {
        if (instance == null) {
            instance = new S3ProxyServer();
        }
        return instance;
    }

    /** A server of the caller's own, on its own port and store, to stop and restart at will; close it after use. */
    public static S3ProxyServer startPrivate() throws Exception {
        return new S3ProxyServer();
    }

    /** Stops serving (connections are refused); the stored objects stay for {@link #restart()}. */
    public synchronized void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    /** Serves again on the same port, with the same objects. */
    public synchronized void restart() throws Exception {
        if (proxy == null) {
            proxy = startProxy(port);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** From now on only this key pair is accepted. */
    void acceptOnly(String accessKey, String secretKey) {
        keys = Map.entry(accessKey, secretKey);
    }

    void acceptDefaultKeys() {
        acceptOnly(ACCESS_KEY, SECRET_KEY);
    }

    /** A new, empty bucket with a name no other test uses. */
    public String newBucket() {
        String name = "bucket-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
        blobStore.createContainerInLocation(null, name);
        return name;
    }

    /** A name for a bucket that does not exist. */
    String unusedBucketName() {
        return "missing-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    }

    void deleteBucket(String bucket) {
        if (blobStore.containerExists(bucket)) {
            blobStore.deleteContainer(bucket);
        }
    }

    /** Options for a backend on {@code bucket} with the default keys, as YAML would give them. */
    public Map<String, Object> options(String bucket) {
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        options.put("endpoint_url", endpoint());
        options.put("bucket", bucket);
        options.put("access_key", ACCESS_KEY);
        options.put("secret_key", SECRET_KEY);
        return options;
    }
}
