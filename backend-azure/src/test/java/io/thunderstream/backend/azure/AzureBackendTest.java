package io.thunderstream.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Options and failures against Azurite: keys, containers, prefixes, the update marker, sizes. */
@ExtendWith(AzuriteExtension.class)
class AzureBackendTest {

    private static final AtomicInteger CONTAINERS = new AtomicInteger();
    private static final StorageBackends INSTALLED = StorageBackends.discover(AzureBackendTest.class.getClassLoader());
    private static Azurite azurite;

    @BeforeAll
    static void azurite(Azurite started) {
        azurite = started;
    }

    private static String freshContainer() {
        return "opts-" + CONTAINERS.incrementAndGet();
    }

    private static StorageBackend open(Map<String, ?> options) throws StorageException {
        return INSTALLED.open(StorageConfig.of("azure", options));
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void wrongKeyIsAccessDeniedWithoutLeakingTheKey() throws IOException {
        String container = freshContainer();
        try (StorageBackend good = open(azurite.options(container))) {
            good.write("a", new byte[] {1});
        }
        String wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        try (StorageBackend bad = open(with(azurite.options(container), "account_key", wrongKey, "create_container", false))) {
            assertThatThrownBy(() -> bad.list(""))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("access denied")
                    .hasMessageContaining("account_key")
                    .hasMessageNotContaining(wrongKey);
            assertThatThrownBy(() -> bad.write("b", new byte[] {2})).isInstanceOf(StorageException.class)
                    .hasMessageContaining("access denied");
        }
    }

    @Test
    void wrongKeyWithCreateContainerFailsAtOpen() {
        assertThatThrownBy(() -> open(with(azurite.options(freshContainer()), "account_key",
                "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==")))
                .isInstanceOf(StorageException.class).hasMessageContaining("create container").hasMessageContaining("access denied");
    }

    @Test
    void missingContainerWithoutCreateContainer() throws IOException {
        String container = freshContainer();
        try (StorageBackend b = open(with(azurite.options(container), "create_container", false))) {
            assertThatThrownBy(() -> b.list("")).isInstanceOf(StorageException.class)
                    .hasMessageContaining("container \"" + container + "\"")
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("create_container: true");
            assertThatThrownBy(() -> b.read("x")).isInstanceOf(StorageException.class)
                    .isNotInstanceOf(BlobNotFoundException.class).hasMessageContaining("does not exist");
            assertThatThrownBy(() -> b.write("x", new byte[] {1})).isInstanceOf(StorageException.class)
                    .hasMessageContaining("does not exist");
        }
    }

    @Test
    void missingContainerWithCreateContainerIsCreatedOnceAndReused() throws IOException {
        String container = freshContainer();
        try (StorageBackend b = open(azurite.options(container))) {
            assertThat(b.list("")).isEmpty();
            b.write("kept", new byte[] {4});
        }
        try (StorageBackend again = open(azurite.options(container))) {
            assertThat(again.readAllBytes("kept")).containsExactly(4);
        }
    }

    @Test
    void urlAndYamlNameTheSameBlobs() throws IOException {
        String container = freshContainer();
        String url = "az://" + container + "/env1/pdns?account_name=" + Azurite.ACCOUNT + "&use_shared_key=true"
                + "&create_container=true&endpoint_url=" + URLEncoder.encode(azurite.endpoint(), StandardCharsets.UTF_8)
                + "&account_key=" + URLEncoder.encode(Azurite.KEY, StandardCharsets.UTF_8);
        try (StorageBackend byUrl = INSTALLED.open(StorageConfig.ofUrl(url));
                StorageBackend byYaml = open(with(azurite.options(container), "global_prefix", "env1/pdns/"));
                StorageBackend whole = open(azurite.options(container))) {
            byUrl.write("main__a__x.pb.gz", new byte[] {1, 2});
            assertThat(byYaml.readAllBytes("main__a__x.pb.gz")).containsExactly(1, 2);
            assertThat(byYaml.list("")).extracting(BlobInfo::name).containsExactly("main__a__x.pb.gz");
            assertThat(whole.list("")).extracting(BlobInfo::name).containsExactly("env1/pdns/main__a__x.pb.gz");
            byYaml.delete("main__a__x.pb.gz");
            assertThat(byUrl.list("")).isEmpty();
        }
    }

    @Test
    void globalPrefixIsAPlainStringPrefixAsInLightningStream() throws IOException {
        String container = freshContainer();
        try (StorageBackend prefixed = open(with(azurite.options(container), "global_prefix", "ls-"));
                StorageBackend whole = open(azurite.options(container))) {
            prefixed.write("a", new byte[] {1});
            whole.write("other", new byte[] {2});
            assertThat(whole.list("")).extracting(BlobInfo::name).containsExactly("ls-a", "other");
            assertThat(prefixed.list("")).extracting(BlobInfo::name).containsExactly("a");
        }
    }

    @Test
    void updateMarkerIsSharedAndNeverListed() throws IOException {
        String container = freshContainer();
        Map<String, Object> options = with(azurite.options(container), "use_update_marker", true);
        try (StorageBackend a = open(options); StorageBackend b = open(options); StorageBackend plain = open(azurite.options(container))) {
            assertThat(b.list("")).isEmpty();
            a.write("snap-1", new byte[] {1});
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("snap-1");
            a.write("snap-2", new byte[] {2});
            assertThat(b.list("snap-")).extracting(BlobInfo::name).containsExactly("snap-1", "snap-2");
            a.delete("snap-1");
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("snap-2");
            // The marker blob exists under its LS name, and no listing shows it.
            assertThat(new String(plain.readAllBytes(io.thunderstream.api.UpdateMarker.NAME), StandardCharsets.UTF_8))
                    .startsWith("snap-1::").endsWith(":true");
            assertThat(plain.list("")).extracting(BlobInfo::name).containsExactly("snap-2");
        }
    }

    @Test
    void moreBytesThanDeclaredLeavesNothing() throws IOException {
        AzureOptions options = AzureOptions.parse(StorageConfig.of("azure", azurite.options(freshContainer())));
        try (StorageBackend b = AzureBackend.open(options, 1 << 20)) {
            byte[] data = new byte[(3 << 20) + 5];
            assertThatThrownBy(() -> b.write("long", new ByteArrayInputStream(data), 2 << 20))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            // exactly one block declared, one byte more given
            assertThatThrownBy(() -> b.write("edge", new ByteArrayInputStream(new byte[(1 << 20) + 1]), 1 << 20))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            assertThatThrownBy(() -> b.write("small", new ByteArrayInputStream(new byte[10]), 5))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            assertThat(b.list("")).isEmpty();
            // exactly one block, and exactly two blocks, declared and given
            b.write("one", new ByteArrayInputStream(new byte[1 << 20]), 1 << 20);
            b.write("two", new ByteArrayInputStream(new byte[2 << 20]), -1);
            assertThat(b.list("")).extracting(BlobInfo::name, BlobInfo::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("one", (long) (1 << 20)),
                            org.assertj.core.groups.Tuple.tuple("two", (long) (2 << 20)));
        }
    }

    @Test
    void accountKeyFileIsReadAndReReadWhenItChanges(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, Azurite.KEY + "\n");
        Map<String, Object> options = with(azurite.options(freshContainer()), "account_key", "",
                "account_key_file", keyFile.toString(), "secrets_refresh_interval", "1s");
        try (StorageBackend b = open(options)) {
            b.write("k", new byte[] {1});
            Files.writeString(keyFile, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==");
            assertThat(awaitListing(b, false)).as("a wrong key is picked up within the refresh interval").isTrue();
            Files.writeString(keyFile, Azurite.KEY);
            assertThat(awaitListing(b, true)).as("the right key is picked up again").isTrue();
        }
    }

    /** Polls a listing until it succeeds (or fails), for at most 10 s. */
    private static boolean awaitListing(StorageBackend b, boolean succeeds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Object tick = new Object();
        while (System.nanoTime() < deadline) {
            boolean ok;
            try {
                b.list("");
                ok = true;
            } catch (IOException e) {
                ok = false;
            }
            if (ok == succeeds) {
                return true;
            }
            synchronized (tick) {
                tick.wait(100); // poll interval, not synchronisation
            }
        }
        return false;
    }

    @Test
    void missingKeyFileFailsAtOpen(@TempDir Path dir) {
        assertThatThrownBy(() -> open(with(azurite.options(freshContainer()), "account_key", "",
                "account_key_file", dir.resolve("absent").toString())))
                .isInstanceOf(StorageException.class)
                .hasMessage("azure: cannot read account_key_file " + dir.resolve("absent") + ": no such file or directory");
    }

    @Test
    void endpointWithoutAzuriteIsAClearError() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> options = with(azurite.options(freshContainer()), "create_container", false,
                "endpoint_url", "http://127.0.0.1:" + closedPort + "/" + Azurite.ACCOUNT, "client_timeout", "5s");
        AzureOptions parsed = AzureOptions.parse(StorageConfig.of("azure", options));
        try (StorageBackend b = AzureBackend.open(parsed.tuned(parsed.blockSize(), 1))) {
            assertThatThrownBy(() -> b.readAllBytes("x")).isInstanceOf(StorageException.class)
                    .isNotInstanceOf(BlobNotFoundException.class)
                    .hasMessageContaining("read x in container")
                    .hasMessageContaining("127.0.0.1:" + closedPort);
        }
    }
}
