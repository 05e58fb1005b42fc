package io.thunderstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.thunderstream.engine.config.LogConfig;
import org.slf4j.LoggerFactory;

/** Applies the {@code log} config (level, format, timestamp) to Logback, which logs to stderr. */
final class Logging {

    private Logging() {
    }

    static void apply(LogConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level(config.level()));

        Encoder<ILoggingEvent> encoder = encoder(context, config);
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogConfig config) {
        if (config.format() == LogConfig.Format.JSON) {
            ch.qos.logback.classic.encoder.JsonEncoder json = new ch.qos.logback.classic.encoder.JsonEncoder();
            json.setContext(context);
            json.start();
            return json;
        }
        String time = switch (config.timestamp()) {
            case DISABLE -> "";
            case FULL -> config.format() == LogConfig.Format.LOGFMT ? "time=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} " : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} ";
            case SHORT -> config.format() == LogConfig.Format.LOGFMT ? "time=%d{HH:mm:ss.SSS} " : "%d{HH:mm:ss.SSS} ";
        };
        String pattern = config.format() == LogConfig.Format.LOGFMT
                ? time + "level=%level logger=%logger{0} msg=\"%replace(%msg){'\"', '\\\\\"'}\"%n"
                : time + "%-5level %logger{0}: %msg%n";
        PatternLayoutEncoder layout = new PatternLayoutEncoder();
        layout.setContext(context);
        layout.setPattern(pattern);
        layout.start();
        return layout;
    }

    private static Level level(LogConfig.Level level) {
        return switch (level) {
            case TRACE -> Level.TRACE;
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARN;
            case ERROR, FATAL, PANIC -> Level.ERROR;
        };
    }
}
