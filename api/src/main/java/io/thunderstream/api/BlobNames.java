package io.thunderstream.api;

/**
 * The one rule for blob names, applied by every backend before it touches storage.
 *
 * <p>A name is a {@code /}-separated path: non-empty, at most 1024 UTF-8 bytes, no leading or
 * trailing {@code /}, no empty segment, no segment that starts with {@code .} (so no {@code ..};
 * hidden names are reserved for the backends' own temp files and markers), and no control
 * characters. Snapshot names such as {@code main__node-a__20240102-030405-123456789__GX.pb.gz}
 * always pass.
 */
public final class BlobNames {

    public static final int MAX_BYTES = 1024;

    private BlobNames() {
    }

    /** Returns {@code name} when it is valid, else throws naming the name and the rule it breaks. */
    public static String check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("invalid blob name " + quote(name) + ": " + problem);
        }
        return name;
    }

    /** Checks a listing prefix: empty, or a valid name, or a valid name followed by {@code /}. */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("invalid blob prefix: null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        String stem = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String problem = problem(stem);
        if (problem != null) {
            throw new IllegalArgumentException("invalid blob prefix " + quote(prefix) + ": " + problem);
        }
        return prefix;
    }

    /** Whether {@code name} is valid. */
    public static boolean isValid(String name) {
        return problem(name) == null;
    }

    private static String problem(String name) {
        if (name == null) {
            return "null";
        }
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "longer than " + MAX_BYTES + " bytes";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return String.format("control character U+%04X at index %d", (int) c, i);
            }
            if (c == '\\') {
                return "backslash at index " + i;
            }
        }
        if (name.startsWith("/")) {
            return "absolute (leading '/')";
        }
        if (name.endsWith("/")) {
            return "trailing '/'";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty path segment";
            }
            if (segment.equals("..")) {
                return "'..' segment";
            }
            if (segment.startsWith(".")) {
                return "segment " + quote(segment) + " starts with '.'";
            }
        }
        return null;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
