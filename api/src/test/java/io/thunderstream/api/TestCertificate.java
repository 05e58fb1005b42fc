package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for 127.0.0.1, made by the JDK's keytool, for backends' TLS
 * tests: {@link #keyStore()} for the server, {@link #caPem()} for the client's {@code tls.ca_file}.
 */
public final class TestCertificate {

    public static final String PASSWORD = "changeit";

    private final Path keyStore;
    private final Path caPem;

    private TestCertificate(Path keyStore, Path caPem) {
        this.keyStore = keyStore;
        this.caPem = caPem;
    }

    /** Makes {@code server.p12} and {@code ca.pem} in {@code dir}. */
    public static TestCertificate create(Path dir) throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path caPem = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", caPem.toString());
        return new TestCertificate(keyStore, caPem);
    }

    /** The certificate and its key, PKCS#12, protected by {@link #PASSWORD}. */
    public Path keyStore() {
        return keyStore;
    }

    /** The certificate in PEM: the CA a client must trust. */
    public Path caPem() {
        return caPem;
    }

    /** A server-side SSLContext presenting the certificate. */
    public SSLContext serverContext() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(keys.getKeyManagers(), null, null);
        return ssl;
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
