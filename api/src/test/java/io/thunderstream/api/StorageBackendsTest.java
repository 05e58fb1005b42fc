package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StorageBackendsTest {

    record Provider(String type, Set<String> schemes) implements StorageBackendProvider {
        @Override
        public StorageBackend create(StorageConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    private final Provider s3 = new Provider("s3", Set.of("s3"));
    private final Provider fs = new Provider("fs", Set.of("file"));
    private final StorageBackends backends = new StorageBackends(List.of(s3, fs));

    @Test
    void selectsByTypeOrByUrlScheme() {
        assertThat(backends.provider(StorageConfig.of("fs", Map.of()))).isSameAs(fs);
        assertThat(backends.provider(StorageConfig.ofUrl("S3://bucket/prefix"))).isSameAs(s3);
        assertThat(backends.provider(StorageConfig.of("s3", java.net.URI.create("s3://b"), Map.of()))).isSameAs(s3);
    }

    @Test
    void unknownTypeOrSchemeListsWhatIsInstalled() {
        assertThatThrownBy(() -> backends.provider(StorageConfig.of("ftp", Map.of())))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("\"ftp\"").hasMessageContaining("installed types: fs, s3");
        assertThatThrownBy(() -> backends.provider(StorageConfig.ofUrl("gs://bucket")))
                .hasMessageContaining("\"gs\"").hasMessageContaining("installed schemes: file, s3");
    }

    @Test
    void typeAndSchemeMustAgree() {
        assertThatThrownBy(() -> backends.provider(StorageConfig.of("fs", java.net.URI.create("s3://b"), Map.of())))
                .hasMessageContaining("name different backends");
    }

    @Test
    void twoProvidersMayNotClaimTheSameTypeOrScheme() {
        assertThatThrownBy(() -> new StorageBackends(List.of(s3, new Provider("s3", Set.of("s3x")))))
                .hasMessageContaining("claim the type \"s3\"");
        assertThatThrownBy(() -> new StorageBackends(List.of(s3, new Provider("other", Set.of("s3")))))
                .hasMessageContaining("claim the URL scheme \"s3\"");
    }

    @Test
    void discoveryWithNoProvidersInstalled() {
        StorageBackends none = StorageBackends.discover(new ClassLoader(null) { });
        assertThat(none.providers()).isEmpty();
        assertThatThrownBy(() -> none.provider(StorageConfig.of("fs", Map.of()))).hasMessageContaining("installed types: (none)");
    }
}
