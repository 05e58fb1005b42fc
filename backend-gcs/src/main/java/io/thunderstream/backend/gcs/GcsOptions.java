package io.thunderstream.backend.gcs;

import io.thunderstream.api.BlobNames;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of the {@code gcs} backend. Lightning Stream has no GCS backend; the names follow
 * its s3 and azure backends where they mean the same thing.
 *
 * <p>With a URL {@code gs://bucket/some/prefix}, the authority is the bucket and the path is a
 * folder: {@code global_prefix} becomes {@code some/prefix/}.
 *
 * @param endpoint null for Google's production endpoint
 * @param emulator whether {@code endpoint} is an emulator (from {@code STORAGE_EMULATOR_HOST}, or
 *                 an http {@code endpoint_url}); emulators get no credentials
 */
record GcsOptions(
        String bucket,
        String globalPrefix,
        Path credentialsFile,
        String projectId,
        URI endpoint,
        boolean emulator,
        boolean createBucket,
        boolean useUpdateMarker,
        Duration updateMarkerForceListInterval,
        Duration initTimeout,
        Duration dialTimeout,
        Duration readTimeout,
        Duration clientTimeout,
        int chunkSize) {

    static final String BUCKET = "bucket";
    static final String GLOBAL_PREFIX = "global_prefix";
    static final String CREDENTIALS_FILE = "credentials_file";
    static final String PROJECT_ID = "project_id";
    static final String ENDPOINT_URL = "endpoint_url";
    static final String CREATE_BUCKET = "create_bucket";
    static final String USE_UPDATE_MARKER = "use_update_marker";
    static final String UPDATE_MARKER_FORCE_LIST_INTERVAL = "update_marker_force_list_interval";
    static final String INIT_TIMEOUT = "init_timeout";
    static final String DIAL_TIMEOUT = "dial_timeout";
    static final String READ_TIMEOUT = "read_timeout";
    static final String CLIENT_TIMEOUT = "client_timeout";

    static final Set<String> KNOWN = Set.of(BUCKET, GLOBAL_PREFIX, CREDENTIALS_FILE, PROJECT_ID, ENDPOINT_URL,
            CREATE_BUCKET, USE_UPDATE_MARKER, UPDATE_MARKER_FORCE_LIST_INTERVAL, INIT_TIMEOUT, DIAL_TIMEOUT,
            READ_TIMEOUT, CLIENT_TIMEOUT);

    /** Blobs up to this size go up in one request; larger ones in a resumable upload of chunks this size. */
    static final int DEFAULT_CHUNK_SIZE = 8 << 20;

    static GcsOptions parse(StorageConfig config, Map<String, String> env) {
        config.requireOnly(KNOWN);
        StorageConfig.Location location = config.location(BUCKET);
        String bucket = location.bucket();
        String globalPrefix = location.globalPrefix();

        URI endpoint = null;
        boolean emulator = false;
        String endpointText = config.string(ENDPOINT_URL, "");
        String emulatorHost = env.getOrDefault("STORAGE_EMULATOR_HOST", "");
        if (!endpointText.isEmpty()) {
            endpoint = endpoint(endpointText, ENDPOINT_URL);
            emulator = endpoint.getScheme().equals("http");
        } else if (!emulatorHost.isEmpty()) {
            endpoint = endpoint(emulatorHost.contains("://") ? emulatorHost : "http://" + emulatorHost, "STORAGE_EMULATOR_HOST");
            emulator = true;
        }

        String credentials = config.string(CREDENTIALS_FILE, "");
        return new GcsOptions(
                bucket,
                globalPrefix,
                credentials.isEmpty() ? null : Path.of(credentials),
                config.string(PROJECT_ID).filter(s -> !s.isEmpty()).orElse(null),
                endpoint,
                emulator && credentials.isEmpty(),
                config.bool(CREATE_BUCKET, false),
                config.bool(USE_UPDATE_MARKER, false),
                orDefault(config.duration(UPDATE_MARKER_FORCE_LIST_INTERVAL, Duration.ZERO), Duration.ofMinutes(5)),
                orDefault(config.duration(INIT_TIMEOUT, Duration.ZERO), Duration.ofSeconds(20)),
                orDefault(config.duration(DIAL_TIMEOUT, Duration.ZERO), Duration.ofSeconds(10)),
                orDefault(config.duration(READ_TIMEOUT, Duration.ZERO), Duration.ofSeconds(60)),
                orDefault(config.duration(CLIENT_TIMEOUT, Duration.ZERO), Duration.ofMinutes(15)),
                DEFAULT_CHUNK_SIZE);
    }

    /** Options for a backend around a given client (tests, embedding). */
    static GcsOptions forClient(String bucket, String globalPrefix, boolean useUpdateMarker, int chunkSize) {
        return new GcsOptions(bucket, globalPrefix, null, null, null, false, false, useUpdateMarker,
                Duration.ofMinutes(5), Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofMinutes(15), chunkSize);
    }

    private static Duration orDefault(Duration d, Duration def) {
        return d.isZero() ? def : d;
    }

    private static URI endpoint(String text, String option) {
        URI uri;
        try {
            uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        } catch (java.net.URISyntaxException e) {
            throw error(option + " is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw error(option + " must be an http(s) URL such as http://127.0.0.1:4443, got \"" + text + "\"");
        }
        return uri;
    }

    static StorageConfigException error(String message) {
        return new StorageConfigException("storage (gcs): " + message);
    }
}
