package io.thunderstream.api;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the value syntaxes of Lightning Stream configs, shared by storage options and the
 * engine's config: Go durations ({@code 90s}, {@code 1m30s}, {@code 168h}, {@code 200ms}) and
 * byte sizes with binary multiples ({@code 1GB} = 2^30 bytes, as LS and PowerDNS read them).
 */
public final class ConfigValues {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtpe]?)(i?b?)", Pattern.CASE_INSENSITIVE);

    private ConfigValues() {
    }

    /**
     * Parses a Go duration: a sequence of decimal numbers with units {@code ns}, {@code us},
     * {@code ms}, {@code s}, {@code m}, {@code h} ({@code 1h30m}, {@code 1.5s}); a bare {@code 0}
     * is zero. Negative durations are refused: no option here has a use for them.
     */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration; expected e.g. 90s, 1m30s, 200ms, 168h");
        }
        Matcher m = DURATION_PART.matcher(s);
        long nanos = 0;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"; expected e.g. 90s, 1m30s, 200ms, 168h");
            }
            nanos = Math.addExact(nanos, partNanos(m.group(1), m.group(2), text));
            at = m.end();
        }
        return Duration.ofNanos(nanos);
    }

    private static long partNanos(String number, String unit, String text) {
        long scale = switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalStateException(unit);
        };
        try {
            return new java.math.BigDecimal(number).multiply(java.math.BigDecimal.valueOf(scale))
                    .setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long");
        }
    }

    /** Formats a duration the way Go prints it: {@code 1h30m0s}, {@code 200ms}, {@code 0s}. */
    public static String formatDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return trim(nanos / 1e3) + "µs";
        }
        if (nanos < 1_000_000_000) {
            return trim(nanos / 1e6) + "ms";
        }
        StringBuilder out = new StringBuilder();
        long hours = nanos / 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L % 60;
        double seconds = nanos % 60_000_000_000L / 1e9;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        return out.append(trim(seconds)).append('s').toString();
    }

    private static String trim(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * Parses a byte size: a number with an optional unit {@code B}, {@code K}/{@code KB}/{@code KiB},
     * {@code M}..., {@code G}..., {@code T}..., {@code P}..., {@code E}..., case-insensitive, in
     * binary multiples ({@code 1MB} = 1048576). A bare number is bytes.
     */
    public static long parseByteSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        String unit = m.matches() ? m.group(2).toLowerCase(Locale.ROOT) : "";
        String suffix = m.matches() ? m.group(3).toLowerCase(Locale.ROOT) : "";
        if (!m.matches() || suffix.equals("i") || (unit.isEmpty() && suffix.equals("ib"))) {
            throw new IllegalArgumentException("invalid size \"" + text + "\"; expected e.g. 1024, 64MB, 16000MB, 1GB");
        }
        int power = unit.isEmpty() ? 0 : "kmgtpe".indexOf(unit) + 1;
        try {
            return new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(2).pow(10 * power))
                    .setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
    }
}
