package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlobNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"main__node-a__20240102-030405-123456789__GX.pb.gz", "a", "env1/main__x", "a.b", "a..b", "x-y_z"})
    void acceptsOrdinaryNames(String name) {
        assertThat(BlobNames.check(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/abs|absolute",
            "../up|'..' segment",
            "a/../b|'..' segment",
            "a//b|empty path segment",
            "end/|trailing '/'",
            ".tmp|starts with '.'",
            "back\\slash|backslash",
    })
    void namesTheRuleThatIsBroken(String name, String rule) {
        assertThatThrownBy(() -> BlobNames.check(name)).hasMessageContaining(rule).hasMessageContaining("invalid blob name");
    }

    @Test
    void controlCharactersAreShownEscaped() {
        assertThatThrownBy(() -> BlobNames.check("a\u0001b")).hasMessageContaining("\"a\\u0001b\"").hasMessageContaining("U+0001");
        assertThatThrownBy(() -> BlobNames.check("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> BlobNames.check("x".repeat(1025))).hasMessageContaining("1024");
    }

    @Test
    void prefixesMayBeEmptyOrEndInSlash() {
        assertThat(BlobNames.checkPrefix("")).isEmpty();
        assertThat(BlobNames.checkPrefix("env1/")).isEqualTo("env1/");
        assertThat(BlobNames.checkPrefix("main__")).isEqualTo("main__");
        assertThatThrownBy(() -> BlobNames.checkPrefix("../")).hasMessageContaining("invalid blob prefix");
    }
}
