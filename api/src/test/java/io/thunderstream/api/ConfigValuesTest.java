package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValuesTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1s, 1000000000",
            "90s, 90000000000",
            "1m30s, 90000000000",
            "168h, 604800000000000",
            "200ms, 200000000",
            "1.5h, 5400000000000",
            "10us, 10000",
            "10µs, 10000",
            "7ns, 7",
            "1h2m3s4ms, 3723004000000",
    })
    void parsesGoDurations(String text, long nanos) {
        assertThat(ConfigValues.parseDuration(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "s", "1d", "-1s", "1s2", "1 s", "abc", "1.2.3s"})
    void refusesBadDurations(String text) {
        assertThatThrownBy(() -> ConfigValues.parseDuration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
    }

    @ParameterizedTest
    @CsvSource({
            "0s, 0",
            "1h30m0s, 5400000000000",
            "200ms, 200000000",
            "1m30s, 90000000000",
            "4h0m0s, 14400000000000",
            "1.5s, 1500000000",
    })
    void formatsLikeGo(String text, long nanos) {
        assertThat(ConfigValues.formatDuration(Duration.ofNanos(nanos))).isEqualTo(text);
        assertThat(ConfigValues.parseDuration(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @CsvSource({
            "1024, 1024",
            "10B, 10",
            "1K, 1024",
            "1KB, 1024",
            "1KiB, 1024",
            "64MB, 67108864",
            "16000MB, 16777216000",
            "1GB, 1073741824",
            "1gb, 1073741824",
            "1.5GB, 1610612736",
            "2 TB, 2199023255552",
    })
    void parsesBinarySizes(String text, long bytes) {
        assertThat(ConfigValues.parseByteSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "12QB", "-1MB", "1i", "1ib", "100000000EB"})
    void refusesBadSizes(String text) {
        assertThatThrownBy(() -> ConfigValues.parseByteSize(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size");
    }
}
