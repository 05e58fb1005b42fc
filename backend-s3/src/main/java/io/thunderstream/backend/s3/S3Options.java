package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The options of the {@code s3} backend, under Lightning Stream's names (simpleblob's
 * {@code backends/s3}), with its defaults. Built from a {@link StorageConfig}: YAML
 * {@code storage.options}, or {@code s3://bucket/prefix?option=value}, or both.
 *
 * <p>{@link #toString()} never shows the keys.
 */
final class S3Options {

    static final String DEFAULT_REGION = "us-east-1";
    static final Duration DEFAULT_SECRETS_REFRESH_INTERVAL = Duration.ofSeconds(15);
    static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(20);
    static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofMinutes(15);
    static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_IDLE_CONN_TIMEOUT = Duration.ofSeconds(90);
    static final int DEFAULT_MAX_IDLE_CONNS = 100;
    static final Duration DEFAULT_UPDATE_MARKER_FORCE_LIST_INTERVAL = Duration.ofMinutes(5);
    static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;
    /** S3 refuses parts smaller than this, except the last one. */
    static final long MIN_PART_SIZE = 5L << 20;
    /** One part is held in memory while it is sent; S3 itself allows 5 GiB. */
    static final long MAX_PART_SIZE = 1L << 30;

    /** Every option this backend reads; anything else in the config is an error. */
    static final Set<String> KNOWN = knownOptions();

    /** Options whose values are secret: masked wherever a config is printed. */
    static final Set<String> SECRETS = secrets();

    final String bucket;
    final String globalPrefix;
    final String region;
    final Optional<URI> endpoint;
    final String accessKey;
    final String secretKey;
    final Optional<Path> accessKeyFile;
    final Optional<Path> secretKeyFile;
    final Duration secretsRefreshInterval;
    final Optional<String> storageClass;
    final boolean createBucket;
    final boolean disableContentMd5;
    final boolean hideFolders;
    final TlsSettings tls;
    final Duration initTimeout;
    final Duration clientTimeout;
    final Duration dialTimeout;
    final Duration idleConnTimeout;
    final int maxIdleConns;
    final boolean dialKeepAlive;
    final boolean useUpdateMarker;
    final Duration updateMarkerForceListInterval;
    final long multipartThreshold;

    private S3Options(StorageConfig config) {
        config.requireOnly(KNOWN);

        StorageConfig.Location location = config.location("bucket");
        bucket = location.bucket();
        globalPrefix = location.globalPrefix();
        region = config.string("region").filter(s -> !s.isEmpty()).orElse(DEFAULT_REGION);
        endpoint = config.string("endpoint_url").filter(s -> !s.isEmpty()).map(S3Options::endpointUri);

        accessKey = config.string("access_key", "");
        secretKey = config.string("secret_key", "");
        accessKeyFile = config.string("access_key_file").filter(s -> !s.isEmpty()).map(Path::of);
        secretKeyFile = config.string("secret_key_file").filter(s -> !s.isEmpty()).map(Path::of);
        boolean staticKeys = !accessKey.isEmpty() || !secretKey.isEmpty();
        boolean keyFiles = accessKeyFile.isPresent() || secretKeyFile.isPresent();
        if (staticKeys && keyFiles) {
            throw fail("set either access_key and secret_key, or access_key_file and secret_key_file, not both");
        }
        if (staticKeys && (accessKey.isEmpty() || secretKey.isEmpty())) {
            throw fail("access_key and secret_key must be set together");
        }
        if (keyFiles && (accessKeyFile.isEmpty() || secretKeyFile.isEmpty())) {
            throw fail("access_key_file and secret_key_file must be set together");
        }
        Duration refresh = config.duration("secrets_refresh_interval", Duration.ZERO);
        secretsRefreshInterval = refresh.isZero() ? DEFAULT_SECRETS_REFRESH_INTERVAL : refresh; // 0: the default, as in LS
        if (keyFiles && secretsRefreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw fail("secrets_refresh_interval must be at least 1s");
        }

        storageClass = config.string("storage_class").filter(s -> !s.isEmpty());
        createBucket = config.bool("create_bucket", false);
        disableContentMd5 = config.bool("disable_send_content_md5", false);
        hideFolders = config.bool("hide_folders", false);
        if (config.bool("prefix_folders", false)) {
            throw fail("prefix_folders is deprecated in Lightning Stream and not supported; blob names are keys");
        }
        tls = config.tls();

        initTimeout = positive(config, "init_timeout", DEFAULT_INIT_TIMEOUT);
        clientTimeout = positive(config, "client_timeout", DEFAULT_CLIENT_TIMEOUT);
        dialTimeout = positive(config, "dial_timeout", DEFAULT_DIAL_TIMEOUT);
        idleConnTimeout = positive(config, "idle_conn_timeout", DEFAULT_IDLE_CONN_TIMEOUT);
        int idle = config.integer("max_idle_conns", 0);
        maxIdleConns = idle <= 0 ? DEFAULT_MAX_IDLE_CONNS : idle;
        // Go's net.Dialer, as in LS: 0 is the default (on), a negative duration turns keep-alive off.
        dialKeepAlive = !config.signedDuration("dial_keep_alive", Duration.ZERO).isNegative();
        config.duration("tls_handshake_timeout", Duration.ZERO); // accepted for LS configs, see docs
        config.integer("num_minio_threads", 0);

        useUpdateMarker = config.bool("use_update_marker", false);
        updateMarkerForceListInterval = positive(config, "update_marker_force_list_interval",
                DEFAULT_UPDATE_MARKER_FORCE_LIST_INTERVAL);
        multipartThreshold = config.bytes("multipart_threshold", DEFAULT_MULTIPART_THRESHOLD);
        if (multipartThreshold < MIN_PART_SIZE || multipartThreshold > MAX_PART_SIZE) {
            throw fail("multipart_threshold must be between 5MB (the smallest part S3 accepts) and 1GB (held in memory)");
        }
    }

    static S3Options from(StorageConfig config) {
        return new S3Options(config);
    }

    /** Where requests go, for messages: the endpoint_url, or AWS's endpoint for the region. */
    String endpointForMessages() {
        return endpoint.map(URI::toString).orElse("https://s3." + region + ".amazonaws.com");
    }

    private static Set<String> secrets() {
        Set<String> secrets = new java.util.HashSet<>(Set.of("access_key", "secret_key"));
        secrets.addAll(TlsSettings.secretOptionNames());
        return Set.copyOf(secrets);
    }

    private static Set<String> knownOptions() {
        Set<String> known = new java.util.HashSet<>(Set.of("access_key", "secret_key", "access_key_file",
                "secret_key_file", "secrets_refresh_interval", "region", "bucket", "storage_class", "create_bucket",
                "global_prefix", "prefix_folders", "hide_folders", "endpoint_url", "disable_send_content_md5",
                "num_minio_threads", "tls", "init_timeout", "idle_conn_timeout", "max_idle_conns", "dial_timeout",
                "dial_keep_alive", "tls_handshake_timeout", "client_timeout", "use_update_marker",
                "update_marker_force_list_interval", "multipart_threshold"));
        known.addAll(TlsSettings.optionNames());
        return Set.copyOf(known);
    }

    private static URI endpointUri(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw fail("endpoint_url \"" + text + "\" is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw fail("endpoint_url \"" + text + "\" must be http://host[:port] or https://host[:port]");
        }
        if (uri.getUserInfo() != null) {
            throw fail("endpoint_url must not hold credentials; use access_key and secret_key");
        }
        return uri;
    }

    /** A duration option where 0 (Go's zero value) means the default, as in simpleblob. */
    private static Duration positive(StorageConfig config, String name, Duration defaultValue) {
        Duration d = config.duration(name, defaultValue);
        return d.isZero() ? defaultValue : d;
    }

    private static StorageConfigException fail(String problem) {
        return new StorageConfigException("storage (type s3): " + problem);
    }

    @Override
    public String toString() {
        return "S3Options[endpoint=" + endpointForMessages() + ", bucket=" + bucket + ", globalPrefix=" + globalPrefix
                + ", region=" + region + ", credentials=" + credentialsSource() + ", useUpdateMarker=" + useUpdateMarker
                + ", tls=" + tls + "]";
    }

    String credentialsSource() {
        if (!accessKey.isEmpty()) {
            return "static keys";
        }
        return accessKeyFile.isPresent() ? "key files " + accessKeyFile.get() + ", " + secretKeyFile.get()
                : "default AWS credential chain";
    }
}
