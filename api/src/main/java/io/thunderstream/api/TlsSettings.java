package io.thunderstream.api;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * A backend's {@code tls} option, read by {@link StorageConfig#tls()}: a map (or {@code tls.*}
 * URL parameters) with the keys of PowerDNS go-tlsconfig, as Lightning Stream's S3 and Azure
 * backends take it: {@code ca_file}/{@code ca}, {@code add_system_ca_pool},
 * {@code cert_file}/{@code cert}, {@code key_file}/{@code key}, {@code insecure_skip_verify},
 * {@code watch_certs} with {@code watch_certs_poll_interval} (see {@link WatchedTls}).
 *
 * @param trustManagers      for a private CA; empty: the JVM's default trust
 * @param keyManagers        presenting a client certificate; empty: none
 * @param insecureSkipVerify accept any server certificate and host name (tests only)
 */
public record TlsSettings(Optional<TrustManager[]> trustManagers, Optional<KeyManager[]> keyManagers,
        boolean insecureSkipVerify) {

    /** The backend options it is made of, {@code tls} and every {@code tls.<key>}, for {@link StorageConfig#requireOnly}. */
    public static Set<String> optionNames() {
        Set<String> names = new TreeSet<>(Set.of("tls"));
        TlsMaterial.KEYS.forEach(key -> names.add("tls." + key));
        return names;
    }

    /**
     * Its options that are masked wherever a config is printed, for
     * {@link StorageBackendProvider#secretOptions}: the whole map (it may hold an inline key), and
     * the key as a URL parameter.
     */
    public static Set<String> secretOptionNames() {
        return Set.of("tls", "tls.key");
    }

    /** Whether anything differs from the JVM's default TLS. */
    public boolean configured() {
        return trustManagers.isPresent() || keyManagers.isPresent() || insecureSkipVerify;
    }

    @Override
    public String toString() {
        return "TlsSettings[privateCa=" + trustManagers.isPresent() + ", clientCertificate=" + keyManagers.isPresent()
                + ", insecureSkipVerify=" + insecureSkipVerify + "]";
    }
}
