package io.thunderstream.engine.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EnvironmentExpansionTest {

    private static final Map<String, String> ENV = Map.of("HOST", "ns1", "EMPTY", "", "A_1", "x");

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "${HOST}|ns1",
        "$HOST.example|ns1.example",
        "pre-${A_1}-post|pre-x-post",
        "${MISSING}|''",                   // unset: empty string, as Go's os.ExpandEnv
        "a${MISSING}b|ab",
        "${MISSING:-fallback}|fallback",   // our extension
        "${EMPTY:-fallback}|fallback",
        "${HOST:-fallback}|ns1",
        "${MISSING:-}|''",
        "cost: 5$|cost: 5$",               // a trailing $ stays
        "a $ b|a $ b",                     // $ before a non-name stays
        "${}x|x",                          // Go drops ${}
        "x${HOST|xHOST",                   // and eats an unclosed "${"
        "$$|''",                           // special one-character names are variables too
        "$1a|a",
        "no refs|no refs",
    })
    void expandsLikeGo(String text, String expected) {
        assertThat(EnvironmentExpansion.expand(text, ENV)).isEqualTo(expected);
    }
}
