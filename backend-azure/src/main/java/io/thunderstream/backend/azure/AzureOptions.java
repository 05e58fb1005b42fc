package io.thunderstream.backend.azure;

import io.thunderstream.api.BlobNames;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The options of the {@code azure} backend, named and defaulted as Lightning Stream's azure
 * backend (simpleblob {@code backends/azure}) names them.
 *
 * <p>With a URL {@code az://container/some/prefix}, the authority is the container and the path
 * is a folder: {@code global_prefix} becomes {@code some/prefix/}.
 */
record AzureOptions(
        String accountName,
        String accountKey,
        Path accountKeyFile,
        Duration secretsRefreshInterval,
        boolean useSharedKey,
        String container,
        boolean createContainer,
        String globalPrefix,
        URI endpoint,
        int concurrency,
        boolean useUpdateMarker,
        Duration updateMarkerForceListInterval,
        Duration initTimeout,
        Duration idleConnTimeout,
        int maxIdleConns,
        Duration dialTimeout,
        Duration tlsHandshakeTimeout,
        Duration clientTimeout,
        TlsSettings tls,
        int blockSize,
        int maxTries) {

    static final String ACCOUNT_NAME = "account_name";
    static final String ACCOUNT_KEY = "account_key";
    static final String ACCOUNT_KEY_FILE = "account_key_file";
    static final String SECRETS_REFRESH_INTERVAL = "secrets_refresh_interval";
    static final String USE_SHARED_KEY = "use_shared_key";
    static final String CONTAINER = "container";
    static final String CREATE_CONTAINER = "create_container";
    static final String GLOBAL_PREFIX = "global_prefix";
    static final String ENDPOINT_URL = "endpoint_url";
    static final String CONCURRENCY = "concurrency";
    static final String USE_UPDATE_MARKER = "use_update_marker";
    static final String UPDATE_MARKER_FORCE_LIST_INTERVAL = "update_marker_force_list_interval";
    static final String INIT_TIMEOUT = "init_timeout";
    static final String IDLE_CONN_TIMEOUT = "idle_conn_timeout";
    static final String MAX_IDLE_CONNS = "max_idle_conns";
    static final String DIAL_TIMEOUT = "dial_timeout";
    static final String DIAL_KEEP_ALIVE = "dial_keep_alive";
    static final String TLS_HANDSHAKE_TIMEOUT = "tls_handshake_timeout";
    static final String CLIENT_TIMEOUT = "client_timeout";

    static final Set<String> KNOWN = knownOptions();

    /** The Azure SDK for Go's UploadStream default is 1 MiB blocks; larger blocks mean fewer requests. */
    static final int DEFAULT_BLOCK_SIZE = 4 << 20;
    /** As the Azure SDK for Go (and so LS): 3 retries, exponential from 800 ms up to 60 s. */
    static final int DEFAULT_MAX_TRIES = 4;

    /** Never prints the account key. */
    @Override
    public String toString() {
        return "AzureOptions[account_name=" + accountName + ", container=" + container + ", global_prefix=" + globalPrefix
                + ", endpoint_url=" + endpoint + ", use_shared_key=" + useSharedKey + ", tls=" + tls + "]";
    }

    private static Set<String> knownOptions() {
        Set<String> known = new HashSet<>(Set.of(ACCOUNT_NAME, ACCOUNT_KEY, ACCOUNT_KEY_FILE, SECRETS_REFRESH_INTERVAL,
                USE_SHARED_KEY, CONTAINER, CREATE_CONTAINER, GLOBAL_PREFIX, ENDPOINT_URL, CONCURRENCY, USE_UPDATE_MARKER,
                UPDATE_MARKER_FORCE_LIST_INTERVAL, INIT_TIMEOUT, IDLE_CONN_TIMEOUT, MAX_IDLE_CONNS, DIAL_TIMEOUT,
                DIAL_KEEP_ALIVE, TLS_HANDSHAKE_TIMEOUT, CLIENT_TIMEOUT));
        known.addAll(TlsSettings.optionNames());
        return Set.copyOf(known);
    }

    static AzureOptions parse(StorageConfig config) {
        config.requireOnly(KNOWN);

        StorageConfig.Location location = config.location(CONTAINER);
        String container = location.bucket();
        String globalPrefix = location.globalPrefix();

        String accountName = config.string(ACCOUNT_NAME, "");
        String endpointText = config.string(ENDPOINT_URL, "");
        if (accountName.isEmpty() && endpointText.isEmpty()) {
            throw error("account_name is required if endpoint_url is not set");
        }
        URI endpoint = endpoint(endpointText.isEmpty() ? "https://" + accountName + ".blob.core.windows.net" : endpointText);

        boolean useSharedKey = config.bool(USE_SHARED_KEY, false);
        String accountKey = config.string(ACCOUNT_KEY, "");
        String keyFileText = config.string(ACCOUNT_KEY_FILE, "");
        Duration refresh = config.duration(SECRETS_REFRESH_INTERVAL, Duration.ZERO);
        if (refresh.isZero()) {
            refresh = Duration.ofSeconds(15); // 0: the default, as in LS
        }
        if (useSharedKey) {
            if (accountName.isEmpty() || (accountKey.isEmpty() && keyFileText.isEmpty())) {
                throw error("account_name and either account_key or account_key_file are required when use_shared_key is true");
            }
            if (!keyFileText.isEmpty() && refresh.compareTo(Duration.ofSeconds(1)) < 0) {
                throw error("secrets_refresh_interval must be at least 1s");
            }
        } else if ("http".equals(endpoint.getScheme())) {
            String hint = accountKey.isEmpty() && keyFileText.isEmpty() ? ""
                    : " (account_key or account_key_file is set, but it is used only with use_shared_key: true)";
            throw error("endpoint_url " + endpoint + " is plain http, and without use_shared_key the backend "
                    + "authenticates with DefaultAzureCredential, whose bearer tokens must not travel unencrypted; "
                    + "use an https endpoint, or set use_shared_key: true with account_name and account_key" + hint);
        }

        int concurrency = config.integer(CONCURRENCY, 1);
        if (concurrency == 0) {
            concurrency = 1; // as the Azure SDK for Go reads 0
        }
        if (concurrency < 0 || concurrency > 64) {
            throw error("concurrency must be between 1 and 64, got " + concurrency);
        }
        int maxIdleConns = config.integer(MAX_IDLE_CONNS, 100);
        if (maxIdleConns < 0) {
            throw error("max_idle_conns must not be negative");
        }
        config.signedDuration(DIAL_KEEP_ALIVE, Duration.ZERO); // accepted for LS compatibility; see docs

        return new AzureOptions(
                accountName,
                accountKey,
                keyFileText.isEmpty() ? null : Path.of(keyFileText),
                refresh,
                useSharedKey,
                container,
                config.bool(CREATE_CONTAINER, false),
                globalPrefix,
                endpoint,
                concurrency,
                config.bool(USE_UPDATE_MARKER, false),
                orDefault(config.duration(UPDATE_MARKER_FORCE_LIST_INTERVAL, Duration.ZERO), Duration.ofMinutes(5)),
                orDefault(config.duration(INIT_TIMEOUT, Duration.ZERO), Duration.ofSeconds(20)),
                orDefault(config.duration(IDLE_CONN_TIMEOUT, Duration.ZERO), Duration.ofSeconds(90)),
                maxIdleConns == 0 ? 100 : maxIdleConns,
                orDefault(config.duration(DIAL_TIMEOUT, Duration.ZERO), Duration.ofSeconds(10)),
                orDefault(config.duration(TLS_HANDSHAKE_TIMEOUT, Duration.ZERO), Duration.ofSeconds(10)),
                orDefault(config.duration(CLIENT_TIMEOUT, Duration.ZERO), Duration.ofMinutes(15)),
                config.tls(),
                DEFAULT_BLOCK_SIZE,
                DEFAULT_MAX_TRIES);
    }

    /** For tests: other block size and retry count than the defaults, which no option changes. */
    AzureOptions tuned(int blockSize, int maxTries) {
        return new AzureOptions(accountName, accountKey, accountKeyFile, secretsRefreshInterval, useSharedKey, container,
                createContainer, globalPrefix, endpoint, concurrency, useUpdateMarker, updateMarkerForceListInterval,
                initTimeout, idleConnTimeout, maxIdleConns, dialTimeout, tlsHandshakeTimeout, clientTimeout, tls, blockSize,
                maxTries);
    }

    /** Zero means the default, as in LS (Go's zero value). */
    private static Duration orDefault(Duration d, Duration def) {
        return d.isZero() ? def : d;
    }

    private static URI endpoint(String text) {
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (java.net.URISyntaxException e) {
            throw error("endpoint_url is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw error("endpoint_url must be an http(s) URL such as https://account.blob.core.windows.net, got \"" + text + "\"");
        }
        return uri;
    }

    static StorageConfigException error(String message) {
        return new StorageConfigException("storage (azure): " + message);
    }
}
