package io.thunderstream.engine.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Logging: {@code log}. The command line's {@code --log-level}, {@code --debug}, {@code --log-format}
 * and {@code --log-timestamp} override it.
 *
 * @param level     the lowest level logged
 * @param format    {@code human} (coloured when on a terminal), {@code logfmt} or {@code json}
 * @param timestamp {@code short}, {@code full} or {@code disable}
 */
public record LogConfig(Level level, Format format, Timestamp timestamp) {

    private static final LogConfig DEFAULTS = new LogConfig(Level.INFO, Format.HUMAN, Timestamp.SHORT);

    public LogConfig {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    public static LogConfig defaults() {
        return DEFAULTS;
    }

    public LogConfig withLevel(Level level) {
        return new LogConfig(level, format, timestamp);
    }

    public LogConfig withFormat(Format format) {
        return new LogConfig(level, format, timestamp);
    }

    public LogConfig withTimestamp(Timestamp timestamp) {
        return new LogConfig(level, format, timestamp);
    }

    /** Log levels under LS's (logrus) names; {@code warn} is read as {@code warning}. */
    public enum Level {
        TRACE, DEBUG, INFO, WARNING, ERROR, FATAL, PANIC;

        public static Level parse(String text) {
            String name = text.trim().toLowerCase(Locale.ROOT);
            return name.equals("warn") ? WARNING : ConfigEnums.parse(Level.class, name);
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Format {
        HUMAN, LOGFMT, JSON;

        public static Format parse(String text) {
            return ConfigEnums.parse(Format.class, text.trim().toLowerCase(Locale.ROOT));
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Timestamp {
        SHORT, DISABLE, FULL;

        /** Parses a timestamp style; empty is {@code short}, as in LS. */
        public static Timestamp parse(String text) {
            String name = text.trim().toLowerCase(Locale.ROOT);
            return name.isEmpty() ? SHORT : ConfigEnums.parse(Timestamp.class, name);
        }

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The shared part of the enums' parse methods: lower-case names, an error that lists them. */
    static final class ConfigEnums {
        private ConfigEnums() {
        }

        static <E extends Enum<E>> E parse(Class<E> type, String lowerCaseName) {
            for (E value : type.getEnumConstants()) {
                if (value.name().toLowerCase(Locale.ROOT).equals(lowerCaseName)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("invalid value \"" + lowerCaseName + "\"; must be one of: "
                    + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }
}
