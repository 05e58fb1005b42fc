package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsTest {

    @TempDir
    Path dir;

    @Test
    void aJarInPluginsIsSelectedByItsUrlScheme() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJar.build(dir.resolve("build"), plugins.resolve("acme-backend.jar"));

        StorageBackends backends = Plugins.discover(plugins);
        var provider = backends.provider(StorageConfig.ofUrl("acme://bucket/prefix"));
        assertThat(provider.getClass().getName()).isEqualTo(PluginJar.CLASS_NAME);
        assertThat(provider.getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
        try (StorageBackend backend = backends.open(StorageConfig.ofUrl("acme://bucket/prefix"))) {
            backend.write("main__a__x.pb.gz", new byte[] {5});
            assertThat(backend.readAllBytes("main__a__x.pb.gz")).containsExactly(5);
        }
        // The built-in backends are still there, once each.
        assertThat(backends.providers()).extracting(p -> p.type()).contains("fs", "memory", "acme").doesNotHaveDuplicates();
    }

    @Test
    void aPluginDirectoryOfJarsIsOnePlugin() throws Exception {
        Path plugins = dir.resolve("plugins");
        PluginJar.build(dir.resolve("build"), plugins.resolve("acme/acme-backend.jar"));
        assertThat(Plugins.discover(plugins).provider(StorageConfig.of("acme", java.util.Map.of())).type()).isEqualTo("acme");
    }

    @Test
    void withoutThePluginTheSchemeIsUnknownAndTheErrorListsWhatIsInstalled() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        assertThatThrownBy(() -> Plugins.discover(dir.resolve("plugins")).provider(StorageConfig.ofUrl("acme://bucket")))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("\"acme\"")
                .hasMessageContaining("file");
    }
}
