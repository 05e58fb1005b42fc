package io.thunderstream.engine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.ThunderstreamConfig;
import java.util.Map;

/** The config loader on arbitrary text: a config, or a {@link ConfigException} naming the problems; nothing else. */
class ConfigFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String yaml = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        try {
            ThunderstreamConfig.parse(yaml, Map.of("VAR", "value"));
        } catch (ConfigException expected) {
            // the documented refusal of a bad config
        }
    }
}
