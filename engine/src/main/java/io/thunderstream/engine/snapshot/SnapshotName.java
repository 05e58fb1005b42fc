package io.thunderstream.engine.snapshot;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot object name: {@code <db>__<instance>__<timestamp>__<generation>[__<extra>...].pb.gz},
 * timestamp {@code yyyyMMdd-HHmmss-nnnnnnnnn} in UTC. Names of one db and instance sort by
 * time. See compat.md section 2.
 *
 * @param extras extra items (type letter + value), sorted
 */
public record SnapshotName(String database, String instance, Instant timestamp, String generation,
                           List<String> extras) implements Comparable<SnapshotName> {
    /** The only extension (kind "snapshot"). */
    public static final String EXTENSION = "pb.gz";
    /** The generation Lightning Stream writes. */
    public static final String DEFAULT_GENERATION = "GX";

    private static final int TIMESTAMP_LENGTH = 25;

    public SnapshotName {
        extras = List.copyOf(extras);
    }

    /** A name as a writer makes it: instance sanitised, generation {@code GX}, no extras. */
    public static SnapshotName of(String database, String instance, Instant timestamp) {
        return new SnapshotName(database, sanitizeInstance(instance), timestamp, DEFAULT_GENERATION, List.of());
    }

    /** Replaces every character outside {@code [A-Za-z0-9-]} with {@code -}. */
    public static String sanitizeInstance(String instance) {
        StringBuilder sb = new StringBuilder(instance.length());
        for (int i = 0; i < instance.length(); i++) {
            char c = instance.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
            sb.append(ok ? c : '-');
        }
        return sb.toString();
    }

    /**
     * Whether {@code instance} is an instance part as writers make it: not empty, and left as it is
     * by {@link #sanitizeInstance} (Lightning Stream's rule too).
     */
    public static boolean isInstance(String instance) {
        return !instance.isEmpty() && sanitizeInstance(instance).equals(instance);
    }

    /**
     * Whether {@code database} is an LMDB name that snapshot names carry unchanged: letters,
     * digits, {@code -} and {@code _}, without {@code __} and not ending in {@code _}, as names
     * are split at {@code __} and the first {@code .}.
     */
    public static boolean isDatabase(String database) {
        if (database.isEmpty() || database.contains("__") || database.endsWith("_")) {
            return false;
        }
        for (int i = 0; i < database.length(); i++) {
            char c = database.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses an object name. Anything that is not a snapshot name (no or unknown extension, fewer
     * than four parts, bad timestamp, extras not sorted by type letter) gives an empty result: other
     * objects may share the bucket.
     * As in Lightning Stream, the generation and extras are taken as they are.
     */
    public static Optional<SnapshotName> parse(String name) {
        int dot = name.indexOf('.');
        if (dot < 0 || !name.substring(dot + 1).equals(EXTENSION)) {
            return Optional.empty();
        }
        List<String> parts = parts(name, dot);
        if (parts.size() < 4) {
            return Optional.empty();
        }
        Instant ts = parseTimestamp(parts.get(2));
        if (ts == null) {
            return Optional.empty();
        }
        List<String> extras = new ArrayList<>();
        for (String extra : parts.subList(4, parts.size())) {
            if (extra.isEmpty()) {
                return Optional.empty(); // LS would crash on an empty extra item; we ignore the name
            }
            if (!extras.isEmpty() && extra.charAt(0) < extras.get(extras.size() - 1).charAt(0)) {
                // Writers sort extras; an unsorted name would print back as another blob's name (found by fuzzing).
                return Optional.empty();
            }
            extras.add(extra);
        }
        return Optional.of(new SnapshotName(parts.get(0), parts.get(1), ts, parts.get(3), extras));
    }

    /** {@code name} up to {@code end}, split at every {@code __} (as {@code split("__", -1)}, without its regex: every poll parses every name). */
    private static List<String> parts(String name, int end) {
        List<String> parts = new ArrayList<>(6);
        int from = 0;
        for (int at; (at = name.indexOf("__", from)) >= 0 && at < end; from = at + 2) {
            parts.add(name.substring(from, at));
        }
        parts.add(name.substring(from, end));
        return parts;
    }

    /** The object name; extras are written sorted by their type letter. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64);
        sb.append(database).append("__").append(instance).append("__").append(formatTimestamp(timestamp))
                .append("__").append(generation);
        extras.stream().sorted(Comparator.comparing(e -> e.charAt(0))).forEach(e -> sb.append("__").append(e));
        return sb.append('.').append(EXTENSION).toString();
    }

    /** Names compare as the object names they are, as Lightning Stream sorts them: of one db and instance, the newer is the greater. */
    @Override
    public int compareTo(SnapshotName other) {
        return toString().compareTo(other.toString());
    }

    /** The newer of two names of one db and instance ({@code a} when they are equal). */
    public static SnapshotName newer(SnapshotName a, SnapshotName b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The kind Lightning Stream gives this extension. */
    public String kind() {
        return "snapshot";
    }

    /** Value of the extra item of the given type letter, if present. */
    public Optional<String> extra(char type) {
        return extras.stream().filter(e -> e.charAt(0) == type).map(e -> e.substring(1)).findFirst();
    }

    /** Prefix of all snapshot names of a database, for listing. */
    public static String prefix(String database) {
        return database + "__";
    }

    /** {@code yyyyMMdd-HHmmss-nnnnnnnnn} in UTC. */
    public static String formatTimestamp(Instant ts) {
        LocalDateTime t = LocalDateTime.ofInstant(ts, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(TIMESTAMP_LENGTH);
        digits(sb, t.getYear(), 4);
        digits(sb, t.getMonthValue(), 2);
        digits(sb, t.getDayOfMonth(), 2);
        digits(sb.append('-'), t.getHour(), 2);
        digits(sb, t.getMinute(), 2);
        digits(sb, t.getSecond(), 2);
        digits(sb.append('-'), t.getNano(), 9);
        return sb.toString();
    }

    /** {@code value} in {@code width} decimal digits, zero-padded (as {@code %0<width>d}; names are compared as strings on every poll). */
    private static void digits(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        sb.append("0".repeat(Math.max(0, width - s.length()))).append(s);
    }

    private static Instant parseTimestamp(String s) {
        if (s.length() != TIMESTAMP_LENGTH || s.charAt(8) != '-' || s.charAt(15) != '-') {
            return null;
        }
        for (int i = 0; i < TIMESTAMP_LENGTH; i++) {
            if (i != 8 && i != 15 && (s.charAt(i) < '0' || s.charAt(i) > '9')) {
                return null;
            }
        }
        try {
            return LocalDateTime.of(num(s, 0, 4), num(s, 4, 6), num(s, 6, 8), num(s, 9, 11), num(s, 11, 13),
                    num(s, 13, 15), num(s, 16, 25)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int num(String s, int from, int to) {
        return Integer.parseInt(s, from, to, 10);
    }
}
