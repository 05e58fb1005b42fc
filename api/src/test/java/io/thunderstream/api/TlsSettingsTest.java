package io.thunderstream.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls option through real TLS handshakes with a JDK server on loopback, watch_certs included. */
class TlsSettingsTest {

    @TempDir
    Path dir;

    private TlsSettings tls(Map<String, Object> tls) {
        return StorageConfig.of("s3", Map.of("tls", tls)).tls();
    }

    @Test
    void withWatchCertsARotatedCaIsTrustedWithoutARestart() throws Exception {
        TestCertificate first = TestCertificate.create(dir, "first", "CN=127.0.0.1");
        TestCertificate second = TestCertificate.create(dir, "second", "CN=127.0.0.1");
        Path ca = dir.resolve("ca.pem");
        Files.copy(first.caPem(), ca);
        Map<String, Object> options = new HashMap<>(Map.of("ca_file", ca.toString(), "watch_certs_poll_interval", "100ms"));
        TlsSettings unwatched = tls(options);
        options.put("watch_certs", true);
        TlsSettings watched = tls(options);

        try (Server server = new Server(first.serverContext(), false)) {
            handshake(watched, server);
            handshake(unwatched, server);
        }
        try (Server server = new Server(second.serverContext(), false)) {
            assertThatThrownBy(() -> handshake(watched, server)).as("the old CA").isInstanceOf(IOException.class);
            replace(ca, second.caPem());
            awaitHandshake(watched, server);
            assertThatThrownBy(() -> handshake(unwatched, server)).as("without watch_certs").isInstanceOf(IOException.class);
        }
    }

    @Test
    void withWatchCertsARotatedClientCertificateIsPresentedAndAHalfWrittenOneIsNot() throws Exception {
        TestCertificate server = TestCertificate.create(dir);
        TestCertificate one = TestCertificate.create(dir, "client-1", "CN=client-1");
        TestCertificate two = TestCertificate.create(dir, "client-2", "CN=client-2");
        assertThatThrownBy(() -> tls(Map.of("cert_file", one.caPem().toString(), "key_file", two.keyPem().toString())))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("the key of key_file (or key) is not the key of the certificate of cert_file (or cert)");
        Path cert = dir.resolve("client.pem");
        Path key = dir.resolve("client.key");
        Files.copy(one.caPem(), cert);
        Files.copy(one.keyPem(), key);
        TlsSettings watched = tls(Map.of("ca_file", server.caPem().toString(), "cert_file", cert.toString(),
                "key_file", key.toString(), "watch_certs", true, "watch_certs_poll_interval", "100ms"));

        try (Server mtls = new Server(server.serverContext(trusting(one.caPem(), two.caPem())), true)) {
            handshake(watched, mtls);
            assertThat(mtls.clients.poll(10, TimeUnit.SECONDS)).isEqualTo("CN=client-1");

            // The key first: until the certificate follows, the pair does not load and the old one stays.
            replace(key, two.keyPem());
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < deadline) {
                handshake(watched, mtls);
                assertThat(mtls.clients.poll(10, TimeUnit.SECONDS)).as("a key without its certificate").isEqualTo("CN=client-1");
            }
            replace(cert, two.caPem());
            String presented = "";
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); !presented.equals("CN=client-2")
                    && System.nanoTime() < end; ) {
                handshake(watched, mtls);
                presented = mtls.clients.poll(10, TimeUnit.SECONDS);
            }
            assertThat(presented).as("the rotated certificate within 10 s").isEqualTo("CN=client-2");
        }
    }

    @Test
    void theOptionsAreCheckedWhenRead() {
        assertThatThrownBy(() -> tls(Map.of("ca_fil", "x"))).isInstanceOf(StorageConfigException.class)
                .hasMessageStartingWith("storage (type s3): unknown tls option ca_fil; known: add_system_ca_pool, ca, ca_file");
        assertThatThrownBy(() -> tls(Map.of("cert_file", "/c.pem"))).isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("a client certificate needs both cert_file (or cert) and key_file (or key)");
        assertThatThrownBy(() -> tls(Map.of("ca_file", dir.resolve("missing.pem").toString())))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageEndingWith("cannot read tls.ca_file " + dir.resolve("missing.pem") + ": no such file or directory");
        assertThat(StorageConfig.ofUrl("s3://b/p?tls.insecure_skip_verify=true").tls().insecureSkipVerify()).isTrue();
        assertThat(tls(Map.of()).configured()).isFalse();
        // go-tlsconfig's other keys: a server's option a client ignores, and a debugging aid the JVM lacks.
        assertThat(tls(Map.of("require_client_cert", true, "insecure_key_log_file", "")).configured()).isFalse();
        assertThatThrownBy(() -> tls(Map.of("require_client_cert", "maybe"))).hasMessageContaining("tls.require_client_cert");
        assertThatThrownBy(() -> tls(Map.of("insecure_key_log_file", "/tmp/keys.log")))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("tls.insecure_key_log_file is not supported: the JVM writes no TLS key log");
    }

    /** Replaces a file's contents, with a new modification time even on a coarse clock. */
    private static void replace(Path file, Path with) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Path temp = Files.createTempFile(file.getParent(), "rotate", ".tmp");
        Files.copy(with, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(temp, FileTime.fromMillis(before.toMillis() + 1000));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static TrustManager[] trusting(Path... pems) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (Path pem : pems) {
            try (InputStream in = Files.newInputStream(pem)) {
                store.setCertificateEntry(pem.getFileName().toString(), CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    /** One TLS handshake as a client with {@code tls}; throws when it fails. */
    private static void handshake(TlsSettings tls, Server server) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(tls.keyManagers().orElse(null), tls.trustManagers().orElse(null), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.startHandshake();
            socket.getOutputStream().write(1); // the server reads it: under TLS 1.3 it checks the client's certificate first
            socket.getOutputStream().flush();
            if (socket.getInputStream().read() != 1) {
                throw new IOException("the server closed the connection");
            }
        }
    }

    /** Handshakes until one succeeds (the next check of the files), for at most 10 s. */
    private static void awaitHandshake(TlsSettings tls, Server server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                handshake(tls, server);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no successful handshake within 10 s", e);
                }
            }
        }
    }

    /** A TLS server on loopback that echoes one byte and records each client certificate's subject. */
    private static final class Server implements AutoCloseable {
        final BlockingQueue<String> clients = new LinkedBlockingQueue<>();
        private final SSLServerSocket socket;
        private final Thread acceptor;

        Server(SSLContext context, boolean needClientAuth) throws IOException {
            socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(needClientAuth);
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (SSLSocket client = (SSLSocket) socket.accept()) {
                        int b = client.getInputStream().read();
                        if (needClientAuth) {
                            clients.add(client.getSession().getPeerPrincipal().getName());
                        }
                        client.getOutputStream().write(b);
                        client.getOutputStream().flush();
                    } catch (IOException e) {
                        // a refused handshake, or closing
                    }
                }
            }, "tls-test-server");
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(Duration.ofSeconds(10).toMillis());
        }
    }
}
