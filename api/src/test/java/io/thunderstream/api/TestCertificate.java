package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A self-signed certificate (for 127.0.0.1), made by the JDK's keytool, for TLS tests:
 * {@link #keyStore()} for a server, {@link #caPem()} for a client's {@code tls.ca_file}, and
 * {@link #caPem()} with {@link #keyPem()} as a client certificate.
 */
public final class TestCertificate {

    public static final String PASSWORD = "changeit";

    private final Path keyStore;
    private final Path caPem;
    private final Path keyPem;

    private TestCertificate(Path keyStore, Path caPem, Path keyPem) {
        this.keyStore = keyStore;
        this.caPem = caPem;
        this.keyPem = keyPem;
    }

    /** Makes {@code server.p12}, {@code server.pem} and {@code server.key} for 127.0.0.1 in {@code dir}. */
    public static TestCertificate create(Path dir) throws Exception {
        return create(dir, "server", "CN=127.0.0.1");
    }

    /** Makes {@code name.p12}, {@code name.pem} (the certificate) and {@code name.key} (PKCS#8) in {@code dir}. */
    public static TestCertificate create(Path dir, String name, String distinguishedName) throws Exception {
        Path keyStore = dir.resolve(name + ".p12");
        Path caPem = dir.resolve(name + ".pem");
        Path keyPem = dir.resolve(name + ".key");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", distinguishedName, "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", caPem.toString());
        KeyStore store = load(keyStore);
        byte[] key = store.getKey(name, PASSWORD.toCharArray()).getEncoded();
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key)
                + "\n-----END PRIVATE KEY-----\n");
        return new TestCertificate(keyStore, caPem, keyPem);
    }

    /** The certificate and its key, PKCS#12, protected by {@link #PASSWORD}. */
    public Path keyStore() {
        return keyStore;
    }

    /** The certificate in PEM: the CA a client must trust. */
    public Path caPem() {
        return caPem;
    }

    /** The private key in PEM (PKCS#8), for a client certificate's {@code key_file}. */
    public Path keyPem() {
        return keyPem;
    }

    /** A server-side SSLContext presenting the certificate. */
    public SSLContext serverContext() throws Exception {
        return serverContext(null);
    }

    /** The same, checking client certificates with {@code trust}. */
    public SSLContext serverContext(TrustManager[] trust) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keyStore), PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keys.getKeyManagers(), trust, null);
        return ssl;
    }

    private static KeyStore load(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("keytool: %s", output).isZero();
    }
}
