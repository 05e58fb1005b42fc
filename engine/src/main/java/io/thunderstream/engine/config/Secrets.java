package io.thunderstream.engine.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which storage options hold secrets, and masking them for logs and {@code --log-config}.
 * A name is secret when it is {@code access_key}, {@code secret_key} or {@code account_key}, ends
 * in {@code _key} (but not {@code _key_file}: a path, not a key), or contains {@code secret},
 * {@code password} or {@code token}. Masking errs on the side of hiding.
 */
final class Secrets {

    static final String MASK = "*****";

    private Secrets() {
    }

    static boolean isSecret(String optionName) {
        String name = optionName.toLowerCase(Locale.ROOT);
        return name.endsWith("_key") || name.equals("key") || name.contains("secret") || name.contains("password")
                || name.contains("token");
    }

    /** The options with secret values masked, at every depth (e.g. inside {@code tls}). */
    static Map<String, Object> maskOptions(Map<String, ?> options) {
        Map<String, Object> masked = new LinkedHashMap<>();
        options.forEach((name, value) -> masked.put(name, isSecret(name) && value != null ? MASK : maskValue(value)));
        return masked;
    }

    @SuppressWarnings("unchecked")
    private static Object maskValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return maskOptions((Map<String, ?>) map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Secrets::maskValue).toList();
        }
        return value;
    }

    /**
     * The URL with the values of secret query parameters and any password in the user info
     * masked. Works on the text, so that even a URL that does not parse is shown safely.
     */
    static String maskUrl(String url) {
        String result = url;
        int query = result.indexOf('?');
        String beforeQuery = query < 0 ? result : result.substring(0, query);
        int scheme = beforeQuery.indexOf("://");
        int at = beforeQuery.lastIndexOf('@');
        if (scheme >= 0 && at > scheme) {
            int colon = beforeQuery.indexOf(':', scheme + 3);
            if (colon >= 0 && colon < at) {
                beforeQuery = beforeQuery.substring(0, colon + 1) + MASK + beforeQuery.substring(at);
            }
        }
        if (query < 0) {
            return beforeQuery;
        }
        StringBuilder out = new StringBuilder(beforeQuery).append('?');
        String[] pairs = result.substring(query + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            out.append(i > 0 ? "&" : "").append(eq >= 0 && isSecret(name) ? pair.substring(0, eq + 1) + MASK : pair);
        }
        return out.toString();
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}
