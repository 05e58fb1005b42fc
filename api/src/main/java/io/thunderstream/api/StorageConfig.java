package io.thunderstream.api;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration of one storage backend: Lightning Stream's {@code storage.type} and
 * {@code storage.options}, or a {@code storage.url} such as
 * {@code s3://bucket/prefix?region=eu-west-1}, or both.
 *
 * <p>The query parameters of the URL are options under the same names as in YAML; what the
 * URL's authority and path mean (bucket, container, root path) is the provider's to say, through
 * {@link #url()}. An option given both ways must have the same value. Option values are kept as
 * YAML gave them (strings, numbers, booleans, maps); the typed accessors convert and name the
 * option in their errors.
 */
public final class StorageConfig {

    private final String type;
    private final URI url;
    private final Map<String, Object> options;

    private StorageConfig(String type, URI url, Map<String, Object> options) {
        this.type = type;
        this.url = url;
        this.options = Collections.unmodifiableMap(options);
    }

    /** A config of {@code storage.type} and {@code storage.options}. */
    public static StorageConfig of(String type, Map<String, ?> options) {
        return of(type, null, options);
    }

    /** A config of {@code storage.url}; its query parameters become options. */
    public static StorageConfig ofUrl(String url) {
        return of(null, parseUrl(url), Map.of());
    }

    /**
     * The general form: any of type and url may be null (not both), and the options of YAML are
     * merged with the URL's query parameters.
     */
    public static StorageConfig of(String type, URI url, Map<String, ?> options) {
        if ((type == null || type.isBlank()) && url == null) {
            throw new StorageConfigException("storage: set storage.type (with storage.options) or storage.url");
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        if (options != null) {
            options.forEach((k, v) -> merged.put(k, v));
        }
        if (url != null) {
            queryParameters(url).forEach((k, v) -> {
                Object yaml = merged.get(k);
                if (yaml != null && !String.valueOf(yaml).equals(v)) {
                    throw new StorageConfigException("storage: option " + k
                            + " is given both in storage.options and in storage.url with different values");
                }
                merged.put(k, v);
            });
        }
        return new StorageConfig(type == null || type.isBlank() ? null : type, url, merged);
    }

    private static URI parseUrl(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null) {
                throw new StorageConfigException("storage.url: \"" + url + "\" has no scheme; expected e.g. s3://bucket/prefix or file:///var/lib/thunderstream");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new StorageConfigException("storage.url: not a valid URL: " + e.getMessage());
        }
    }

    private static Map<String, String> queryParameters(URI url) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = url.getRawQuery();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (params.put(key, value) != null) {
                throw new StorageConfigException("storage.url: query parameter " + key + " is given twice");
            }
        }
        return params;
    }

    /** The configured {@code storage.type}, if any. */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    /** The configured {@code storage.url}, if any. */
    public Optional<URI> url() {
        return Optional.ofNullable(url);
    }

    /** The URL's scheme in lower case, if a URL is configured. */
    public Optional<String> scheme() {
        return url().map(u -> u.getScheme().toLowerCase(java.util.Locale.ROOT));
    }

    /** All options, YAML and URL query parameters merged. */
    public Map<String, Object> options() {
        return options;
    }

    public boolean has(String name) {
        return options.get(name) != null;
    }

    /**
     * Fails naming every option that is not in {@code known}, so that a typo is an error and not
     * a silently ignored setting.
     */
    public void requireOnly(Set<String> known) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new StorageConfigException("storage" + describeType() + ": unknown option"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; known options: " + String.join(", ", new TreeSet<>(known)));
        }
    }

    public Optional<String> string(String name) {
        Object v = options.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof Iterable) {
            throw invalid(name, v, "a string");
        }
        return Optional.of(String.valueOf(v));
    }

    public String string(String name, String defaultValue) {
        return string(name).orElse(defaultValue);
    }

    /** A string option that must be present and non-empty. */
    public String requireString(String name) {
        return string(name).filter(s -> !s.isEmpty()).orElseThrow(() ->
                new StorageConfigException("storage" + describeType() + ": missing required option " + name));
    }

    public boolean bool(String name, boolean defaultValue) {
        Object v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(name, v, "true or false");
        };
    }

    public int integer(String name, int defaultValue) {
        Object v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(name, v, "an integer");
        }
    }

    /** A Go-style duration ({@code 90s}, {@code 1m30s}, {@code 168h}); see {@link ConfigValues#parseDuration}. */
    public Duration duration(String name, Duration defaultValue) {
        Object v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return ConfigValues.parseDuration(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw invalid(name, v, "a duration such as 90s, 1m30s or 168h");
        }
    }

    /**
     * A duration that may carry a sign, as Go's do ({@code -1s}): for the Lightning Stream options
     * where a negative value means "off", such as {@code dial_keep_alive}.
     */
    public Duration signedDuration(String name, Duration defaultValue) {
        Object v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        String text = String.valueOf(v).trim();
        boolean signed = text.startsWith("-") || text.startsWith("+");
        try {
            Duration d = ConfigValues.parseDuration(signed ? text.substring(1) : text);
            return text.startsWith("-") ? d.negated() : d;
        } catch (IllegalArgumentException e) {
            throw invalid(name, v, "a duration such as 90s, 1m30s or -1s");
        }
    }

    /** A byte size ({@code 16MB}, {@code 1GB}, binary multiples); see {@link ConfigValues#parseByteSize}. */
    public long bytes(String name, long defaultValue) {
        Object v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return v instanceof Number n ? n.longValue() : ConfigValues.parseByteSize(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw invalid(name, v, "a size such as 1048576, 16MB or 1GB");
        }
    }

    /** A nested map option (such as {@code tls}); empty when absent. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String name) {
        Object v = options.get(name);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw invalid(name, v, "a map");
    }

    /** The {@code tls} option (a map, or {@code tls.*} URL parameters); see {@link TlsSettings}. */
    public TlsSettings tls() {
        return TlsMaterial.read(this, "storage" + describeType());
    }

    /**
     * Where an object-store backend keeps its blobs.
     *
     * @param bucket       the bucket or container
     * @param globalPrefix prepended to every blob name; empty or ending in {@code /} when it came from a URL
     */
    public record Location(String bucket, String globalPrefix) {
    }

    /**
     * The bucket (or container) and global prefix of an object-store backend: from the options
     * {@code bucketOption} and {@code global_prefix}, or from a URL {@code scheme://bucket/prefix}
     * whose path becomes the prefix with a {@code /} added ({@code s3://b/env1} and
     * {@code global_prefix: env1/} name the same blobs). Given both ways they must agree.
     */
    public Location location(String bucketOption) {
        String bucket = string(bucketOption).filter(b -> !b.isEmpty()).orElse(null);
        String prefix = string("global_prefix", "");
        if (url != null) {
            String fromUrl = url.getAuthority();
            if (fromUrl == null || fromUrl.isEmpty()) {
                throw new StorageConfigException("storage.url " + url.getScheme() + "://" + (fromUrl == null ? "" : fromUrl)
                        + url.getRawPath() + " names no " + bucketOption + "; expected " + url.getScheme() + "://"
                        + bucketOption + "/prefix");
            }
            if (bucket != null && !bucket.equals(fromUrl)) {
                throw new StorageConfigException("storage" + describeType() + ": option " + bucketOption + " \"" + bucket
                        + "\" and the URL's " + bucketOption + " \"" + fromUrl + "\" differ");
            }
            bucket = fromUrl;
            String path = url.getPath() == null ? "" : url.getPath().replaceFirst("^/+", "");
            if (!path.isEmpty()) {
                String fromPath = path.endsWith("/") ? path : path + "/";
                if (has("global_prefix") && !prefix.equals(fromPath)) {
                    throw new StorageConfigException("storage" + describeType() + ": option global_prefix \"" + prefix
                            + "\" and the URL's path (prefix \"" + fromPath + "\") differ");
                }
                prefix = fromPath;
            }
        }
        if (bucket == null) {
            throw new StorageConfigException("storage" + describeType() + ": missing required option " + bucketOption);
        }
        if (!prefix.isEmpty()) {
            try {
                BlobNames.checkPrefix(prefix);
            } catch (IllegalArgumentException e) {
                throw new StorageConfigException("storage" + describeType() + ": option global_prefix: " + e.getMessage());
            }
        }
        return new Location(bucket, prefix);
    }

    /**
     * This config as text for logs and {@code --log-config}, with the values of {@code secrets}
     * masked, in the options and in the URL's query alike.
     */
    public String describe(Set<String> secrets) {
        StringBuilder out = new StringBuilder("{");
        if (type != null) {
            out.append("type=").append(type);
        }
        if (url != null) {
            out.append(out.length() > 1 ? ", " : "").append("url=").append(maskedUrl(secrets));
        }
        options.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k).append('=')
                .append(secrets.contains(k) ? "*****" : v));
        return out.append('}').toString();
    }

    private String maskedUrl(Set<String> secrets) {
        String raw = url.toString();
        int q = raw.indexOf('?');
        if (q < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.substring(0, q + 1));
        String[] pairs = raw.substring(q + 1).split("&");
        for (int i = 0; i < pairs.length; i++) {
            int eq = pairs[i].indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pairs[i] : pairs[i].substring(0, eq), StandardCharsets.UTF_8);
            out.append(i > 0 ? "&" : "").append(secrets.contains(key) && eq >= 0 ? pairs[i].substring(0, eq) + "=*****" : pairs[i]);
        }
        return out.toString();
    }

    /** Never prints option values: they may hold secrets. Use {@link #describe} to show them. */
    @Override
    public String toString() {
        return "StorageConfig" + describeType() + " options " + options.keySet();
    }

    private String describeType() {
        if (type != null) {
            return " (type " + type + ")";
        }
        return url != null ? " (" + url.getScheme() + " URL)" : "";
    }

    private StorageConfigException invalid(String name, Object value, String expected) {
        return new StorageConfigException("storage" + describeType() + ": option " + name + " must be " + expected
                + ", got \"" + value + "\"");
    }
}
