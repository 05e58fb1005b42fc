package io.thunderstream.backend.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Option parsing and validation; no storage needed. */
class AzureOptionsTest {

    private static final Map<String, Object> SHARED_KEY = Map.of("account_name", "acct", "account_key", "c2VjcmV0",
            "use_shared_key", true, "container", "c");

    private static AzureOptions parse(Map<String, ?> options) {
        return AzureOptions.parse(StorageConfig.of("azure", options));
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void providerIsFoundByTypeAndScheme() {
        StorageBackends installed = StorageBackends.discover(getClass().getClassLoader());
        assertThat(installed.provider(StorageConfig.of("azure", Map.of()))).isInstanceOf(AzureBackendProvider.class);
        assertThat(installed.provider(StorageConfig.ofUrl("az://c/p"))).isInstanceOf(AzureBackendProvider.class);
        assertThat(new AzureBackendProvider().secretOptions()).containsExactlyInAnyOrder("account_key", "tls", "tls.key");
    }

    @Test
    void defaultsAreThoseOfLightningStream() {
        AzureOptions o = parse(SHARED_KEY);
        assertThat(o.endpoint()).isEqualTo(URI.create("https://acct.blob.core.windows.net"));
        assertThat(o.globalPrefix()).isEmpty();
        assertThat(o.createContainer()).isFalse();
        assertThat(o.concurrency()).isEqualTo(1);
        assertThat(o.useUpdateMarker()).isFalse();
        assertThat(o.updateMarkerForceListInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.secretsRefreshInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.initTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.dialTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.idleConnTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.clientTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(o.maxIdleConns()).isEqualTo(100);
    }

    @Test
    void everyOptionIsRead() {
        AzureOptions o = parse(with(SHARED_KEY, "endpoint_url", "http://127.0.0.1:10000/acct/", "global_prefix", "ls/",
                "create_container", "true", "concurrency", 8, "use_update_marker", true,
                "update_marker_force_list_interval", "1m", "init_timeout", "5s", "idle_conn_timeout", "1m",
                "max_idle_conns", 7, "dial_timeout", "2s", "dial_keep_alive", "3s", "tls_handshake_timeout", "4s",
                "client_timeout", "1h", "secrets_refresh_interval", "30s"));
        assertThat(o.endpoint()).isEqualTo(URI.create("http://127.0.0.1:10000/acct"));
        assertThat(o.globalPrefix()).isEqualTo("ls/");
        assertThat(o.createContainer()).isTrue();
        assertThat(o.concurrency()).isEqualTo(8);
        assertThat(o.useUpdateMarker()).isTrue();
        assertThat(o.updateMarkerForceListInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.initTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.maxIdleConns()).isEqualTo(7);
        assertThat(o.dialTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.clientTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(o.secretsRefreshInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void urlNamesContainerAndPrefix() {
        AzureOptions o = AzureOptions.parse(StorageConfig.of(null, URI.create(
                "az://snapshots/env1/pdns?account_name=acct&use_shared_key=true&account_key=c2VjcmV0"), Map.of()));
        assertThat(o.container()).isEqualTo("snapshots");
        assertThat(o.globalPrefix()).isEqualTo("env1/pdns/");
        assertThat(o.accountName()).isEqualTo("acct");

        AzureOptions noPath = AzureOptions.parse(StorageConfig.of(null, URI.create("az://c"), SHARED_KEY));
        assertThat(noPath.container()).isEqualTo("c");
        assertThat(noPath.globalPrefix()).isEmpty();
    }

    @Test
    void urlAndOptionsMustAgree() {
        assertThatThrownBy(() -> AzureOptions.parse(StorageConfig.of(null, URI.create("az://other/p"), SHARED_KEY)))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("container \"c\"").hasMessageContaining("\"other\"");
        assertThatThrownBy(() -> AzureOptions.parse(StorageConfig.of(null, URI.create("az://c/p"),
                with(SHARED_KEY, "global_prefix", "q/")))).isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("global_prefix");
        assertThat(AzureOptions.parse(StorageConfig.of(null, URI.create("az://c/p"), with(SHARED_KEY, "global_prefix", "p/")))
                .globalPrefix()).isEqualTo("p/");
        assertThatThrownBy(() -> AzureOptions.parse(StorageConfig.of(null, URI.create("az:///p"), Map.of("account_name", "a"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("names no container");
    }

    @Test
    void requiredOptions() {
        assertThatThrownBy(() -> parse(Map.of("account_name", "a")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("missing required option container");
        assertThatThrownBy(() -> parse(Map.of("container", "c")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("account_name is required if endpoint_url is not set");
        assertThatThrownBy(() -> parse(Map.of("container", "c", "account_name", "a", "use_shared_key", true)))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("account_name and either account_key or account_key_file are required");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "account_key", "", "account_key_file", "/k", "secrets_refresh_interval", "500ms")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("secrets_refresh_interval must be at least 1s");
        // 0 means the default, 15s, as in LS.
        parse(with(SHARED_KEY, "account_key", "", "account_key_file", "/k", "secrets_refresh_interval", 0));
    }

    @Test
    void defaultAzureCredentialIsRefusedOverPlainHttp() {
        assertThatThrownBy(() -> parse(Map.of("container", "c", "endpoint_url", "http://127.0.0.1:10000/devstoreaccount1",
                "account_key", "c2VjcmV0")))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("plain http")
                .hasMessageContaining("DefaultAzureCredential")
                .hasMessageContaining("use_shared_key: true")
                .hasMessageContaining("account_key or account_key_file is set")
                .hasMessageNotContaining("c2VjcmV0");
        // https is fine: the credential chain is resolved on first use.
        assertThat(parse(Map.of("container", "c", "account_name", "a")).useSharedKey()).isFalse();
    }

    @Test
    void mistakesAreReportedNotIgnored() {
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "acount_key", "x")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("unknown option acount_key");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "tls", Map.of("ca_flie", "/x"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("storage (type azure): unknown tls option ca_flie");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "tls", Map.of("ca_file", "/no/such/ca.pem"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("cannot read tls.ca_file /no/such/ca.pem");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "tls", Map.of("watch_certs", "sometimes"))))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("storage (type azure): option tls.watch_certs must be true or false");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "endpoint_url", "ftp://x")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("endpoint_url must be an http(s) URL");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "concurrency", 1000)))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "global_prefix", "../x/")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("global_prefix");
        assertThatThrownBy(() -> parse(with(SHARED_KEY, "client_timeout", "soon")))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("client_timeout");
    }

    @Test
    void secretsAreNotPrinted() {
        AzureOptions o = parse(SHARED_KEY);
        assertThat(o.toString()).doesNotContain("c2VjcmV0");
        StorageConfig url = StorageConfig.ofUrl("az://c?account_name=a&use_shared_key=true&account_key=c2VjcmV0");
        assertThat(url.describe(new AzureBackendProvider().secretOptions())).doesNotContain("c2VjcmV0");
    }
}
