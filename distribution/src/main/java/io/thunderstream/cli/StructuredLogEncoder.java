package io.thunderstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.thunderstream.engine.config.LogConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * One log line per event in {@code logfmt} or {@code json}, with the field names Lightning Stream's
 * logger (logrus) uses, so that log pipelines parse both alike: {@code time}, {@code level}
 * ({@code debug}, {@code info}, {@code warning}, {@code error}), {@code msg}, plus {@code logger}
 * and, on failures with a stack trace, {@code error}.
 */
final class StructuredLogEncoder extends EncoderBase<ILoggingEvent> {

    private final LogConfig.Format format;
    private final LogConfig.Timestamp timestamp;

    StructuredLogEncoder(LogConfig.Format format, LogConfig.Timestamp timestamp) {
        this.format = format;
        this.timestamp = timestamp;
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(128);
        if (timestamp != LogConfig.Timestamp.DISABLE) {
            field(out, "time", time(event.getTimeStamp()));
        }
        field(out, "level", level(event.getLevel()));
        field(out, "msg", event.getFormattedMessage());
        field(out, "logger", shortName(event.getLoggerName()));
        if (event.getThrowableProxy() != null) {
            field(out, "error", ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        out.append(format == LogConfig.Format.JSON ? "}\n" : "\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void field(StringBuilder out, String key, String value) {
        if (format == LogConfig.Format.JSON) {
            out.append(out.length() == 0 ? "{" : ",").append('"').append(key).append("\":");
            json(out, value);
        } else {
            out.append(out.length() == 0 ? "" : " ").append(key).append('=');
            logfmt(out, value);
        }
    }

    /** RFC 3339 in the local zone as logrus writes it; {@code full} adds milliseconds. */
    private String time(long millis) {
        Instant t = Instant.ofEpochMilli(millis);
        if (timestamp == LogConfig.Timestamp.SHORT) {
            t = t.truncatedTo(ChronoUnit.SECONDS);
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atZone(ZoneId.systemDefault()));
        }
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(t.atZone(ZoneId.systemDefault()));
    }

    static String level(Level level) {
        return switch (level.toInt()) {
            case Level.TRACE_INT -> "trace";
            case Level.DEBUG_INT -> "debug";
            case Level.INFO_INT -> "info";
            case Level.WARN_INT -> "warning";
            default -> "error";
        };
    }

    private static String shortName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    /** A bare value when it needs no quotes, else a quoted one with {@code \" \\ \n \t} escapes, as logrus does. */
    private static void logfmt(StringBuilder out, String value) {
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = !(Character.isLetterOrDigit(c) || "-._/@^+".indexOf(c) >= 0);
        }
        if (!quote) {
            out.append(value);
            return;
        }
        out.append('"');
        escape(out, value);
        out.append('"');
    }

    private static void json(StringBuilder out, String value) {
        out.append('"');
        escape(out, value);
        out.append('"');
    }

    private static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
