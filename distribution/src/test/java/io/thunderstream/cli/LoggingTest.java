package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thunderstream.engine.config.LogConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** log.format and log.timestamp: every format gives one parseable line per event. */
class LoggingTest {

    private static final String MESSAGE = "db main instance alpha: stored snapshot main__alpha__20260110-120000-000000000__GX.pb.gz"
            + " \"quoted\"\nsecond line";

    private static String encode(LogConfig.Format format, LogConfig.Timestamp timestamp, Level level) {
        LoggerContext context = new LoggerContext();
        Encoder<ILoggingEvent> encoder = Logging.encoder(context, new LogConfig(LogConfig.Level.INFO, format, timestamp));
        LoggingEvent event = new LoggingEvent("x", context.getLogger("io.thunderstream.engine.sync.DbSyncer"), level, MESSAGE,
                null, null);
        event.setTimeStamp(1_768_046_400_123L);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void jsonIsOneObjectPerLineWithLogrusFields() throws Exception {
        String line = encode(LogConfig.Format.JSON, LogConfig.Timestamp.FULL, Level.WARN);
        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("warning");
        assertThat(json.get("msg").asText()).isEqualTo(MESSAGE);
        assertThat(json.get("logger").asText()).isEqualTo("DbSyncer");
        assertThat(json.get("time").asText()).matches("2026-01-10T\\d\\d:\\d\\d:00\\.123.*");
        assertThat(new ObjectMapper().readTree(encode(LogConfig.Format.JSON, LogConfig.Timestamp.DISABLE, Level.INFO)).has("time"))
                .isFalse();
    }

    @Test
    void logfmtQuotesAndEscapesSoEachEventIsOneLine() {
        String line = encode(LogConfig.Format.LOGFMT, LogConfig.Timestamp.SHORT, Level.INFO);
        assertThat(line).hasLineCount(1)
                .matches("time=\"2026-01-10T\\d\\d:\\d\\d:00[^\"]*\" level=info msg=\"db main instance alpha: stored snapshot "
                        + "main__alpha__20260110-120000-000000000__GX.pb.gz \\\\\"quoted\\\\\"\\\\nsecond line\" logger=DbSyncer\n");
        assertThat(encode(LogConfig.Format.LOGFMT, LogConfig.Timestamp.DISABLE, Level.ERROR)).startsWith("level=error msg=");
    }

    @Test
    void humanHasTheTimestampStyleAsked() {
        assertThat(encode(LogConfig.Format.HUMAN, LogConfig.Timestamp.SHORT, Level.INFO))
                .matches("(?s)\\d\\d:\\d\\d:00\\.123 INFO  DbSyncer: db main .*second line\n");
        assertThat(encode(LogConfig.Format.HUMAN, LogConfig.Timestamp.FULL, Level.INFO))
                .matches("(?s)2026-01-10T\\d\\d:\\d\\d:00\\.123\\S+ INFO  DbSyncer: db main .*");
        assertThat(encode(LogConfig.Format.HUMAN, LogConfig.Timestamp.DISABLE, Level.INFO)).startsWith("INFO  DbSyncer: db main");
    }
}
