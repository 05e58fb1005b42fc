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

    /** {@code human}: a pattern layout; {@code logfmt} and {@code json}: logrus's fields, one event per line. */
    static Encoder<ILoggingEvent> encoder(LoggerContext context, LogConfig config) {
        if (config.format() != LogConfig.Format.HUMAN) {
            StructuredLogEncoder structured = new StructuredLogEncoder(config.format(), config.timestamp());
            structured.setContext(context);
            structured.start();
            return structured;
        }
        String time = switch (config.timestamp()) {
            case DISABLE -> "";
            case FULL -> "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} ";
            case SHORT -> "%d{HH:mm:ss.SSS} ";
        };
        PatternLayoutEncoder layout = new PatternLayoutEncoder();
        layout.setContext(context);
        layout.setPattern(time + "%-5level %logger{0}: %msg%n");
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
