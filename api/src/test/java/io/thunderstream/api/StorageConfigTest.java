package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StorageConfigTest {

    @Test
    void urlQueryParametersAreOptionsUnderTheirYamlNames() {
        StorageConfig c = StorageConfig.ofUrl("s3://bucket/env1?endpoint_url=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1&create_bucket=true");
        assertThat(c.scheme()).contains("s3");
        assertThat(c.type()).isEmpty();
        assertThat(c.url().orElseThrow().getHost()).isEqualTo("bucket");
        assertThat(c.string("endpoint_url")).contains("http://127.0.0.1:9000");
        assertThat(c.string("region", "us-east-1")).isEqualTo("eu-west-1");
        assertThat(c.bool("create_bucket", false)).isTrue();
    }

    @Test
    void typedAccessorsConvertYamlValues() {
        StorageConfig c = StorageConfig.of("s3", Map.of("count", 3, "flag", "yes", "wait", "1m30s", "part", "16MB", "raw", 1024));
        assertThat(c.integer("count", 0)).isEqualTo(3);
        assertThat(c.bool("flag", false)).isTrue();
        assertThat(c.duration("wait", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.bytes("part", 0)).isEqualTo(16L << 20);
        assertThat(c.bytes("raw", 0)).isEqualTo(1024);
        assertThat(c.duration("absent", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        StorageConfig signed = StorageConfig.of("s3", Map.of("off", "-1s", "on", "+2m", "plain", "3s"));
        assertThat(signed.signedDuration("off", Duration.ZERO)).isEqualTo(Duration.ofSeconds(-1));
        assertThat(signed.signedDuration("on", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(signed.signedDuration("plain", Duration.ZERO)).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> signed.duration("off", Duration.ZERO)).as("only where a sign is wanted")
                .hasMessageContaining("option off must be a duration");
    }

    @Test
    void badValuesNameTheOption() {
        StorageConfig c = StorageConfig.of("s3", Map.of("count", "many", "wait", "soon", "flag", "perhaps"));
        assertThatThrownBy(() -> c.integer("count", 0)).isInstanceOf(StorageConfigException.class).hasMessageContaining("option count must be an integer");
        assertThatThrownBy(() -> c.duration("wait", null)).hasMessageContaining("option wait must be a duration");
        assertThatThrownBy(() -> c.signedDuration("wait", null)).hasMessageContaining("option wait must be a duration");
        assertThatThrownBy(() -> c.bool("flag", false)).hasMessageContaining("option flag must be true or false");
        assertThatThrownBy(() -> c.requireString("bucket")).hasMessageContaining("missing required option bucket");
    }

    @Test
    void unknownOptionsAreReportedByName() {
        StorageConfig c = StorageConfig.of("fs", Map.of("root_path", "/x", "rot_path", "/y"));
        assertThatThrownBy(() -> c.requireOnly(Set.of("root_path")))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("unknown option rot_path")
                .hasMessageContaining("known options: root_path");
    }

    @Test
    void optionGivenTwiceMustAgree() {
        assertThat(StorageConfig.of(null, URI.create("s3://b?region=x"), Map.of("region", "x")).string("region")).contains("x");
        assertThatThrownBy(() -> StorageConfig.of(null, URI.create("s3://b?region=x"), Map.of("region", "y")))
                .hasMessageContaining("region");
    }

    @Test
    void needsTypeOrUrl() {
        assertThatThrownBy(() -> StorageConfig.of(null, null, Map.of())).hasMessageContaining("storage.type").hasMessageContaining("storage.url");
        assertThatThrownBy(() -> StorageConfig.ofUrl("bucket/prefix")).hasMessageContaining("has no scheme");
    }

    @Test
    void describeMasksSecretsInOptionsAndUrl() {
        StorageConfig c = StorageConfig.of("s3", URI.create("s3://b/p?secret_key=hunter2&region=x"), Map.of("access_key", "AKIAXYZ"));
        String shown = c.describe(Set.of("secret_key", "access_key"));
        assertThat(shown).doesNotContain("hunter2").doesNotContain("AKIAXYZ").contains("secret_key=*****").contains("region=x");
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("AKIAXYZ");
    }

    @Test
    void locationComesFromTheUrlOrTheOptionsAndTheyMustAgree() {
        assertThat(StorageConfig.ofUrl("s3://bucket/env1").location("bucket"))
                .isEqualTo(new StorageConfig.Location("bucket", "env1/"));
        assertThat(StorageConfig.of("s3", Map.of("bucket", "bucket", "global_prefix", "env1/")).location("bucket"))
                .isEqualTo(new StorageConfig.Location("bucket", "env1/"));
        assertThat(StorageConfig.ofUrl("az://container").location("container"))
                .isEqualTo(new StorageConfig.Location("container", ""));
        assertThatThrownBy(() -> StorageConfig.of(null, URI.create("s3://a/p"), Map.of("bucket", "b")).location("bucket"))
                .hasMessageContaining("option bucket \"b\" and the URL's bucket \"a\" differ");
        assertThatThrownBy(() -> StorageConfig.of(null, URI.create("s3://a/p"), Map.of("global_prefix", "q/")).location("bucket"))
                .hasMessageContaining("global_prefix");
        assertThatThrownBy(() -> StorageConfig.ofUrl("s3:///p").location("bucket")).hasMessageContaining("names no bucket");
        assertThatThrownBy(() -> StorageConfig.of("s3", Map.of()).location("bucket")).hasMessageContaining("missing required option bucket");
        assertThatThrownBy(() -> StorageConfig.of("s3", Map.of("bucket", "b", "global_prefix", "../x/")).location("bucket"))
                .hasMessageContaining("global_prefix");
    }
}
