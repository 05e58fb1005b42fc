package io.thunderstream.api;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code tls.watch_certs}, as in PowerDNS go-tlsconfig: the CA and the client certificate are read
 * again from their files when these change (looked at no more than once a
 * {@code watch_certs_poll_interval}, on the next TLS handshake), so that rotated certificates are
 * used without a restart. A change that does not load (a key written before its certificate, say)
 * keeps the previous material until the files load together.
 */
final class WatchedTls {

    private static final System.Logger LOG = System.getLogger(WatchedTls.class.getName());

    private WatchedTls() {
    }

    /** What {@code build} makes of {@code files}, made again when one of them changes. */
    static final class Watched<T> {
        private final List<Path> files;
        private final long intervalNanos;
        private final Supplier<T> build;
        private final String what;
        private volatile T current;
        private List<String> stamps;
        private volatile long nextCheckNanos;

        /** {@code first}: what {@code build} made of the files as they are now. */
        Watched(List<Path> files, Duration interval, T first, Supplier<T> build, String what) {
            this.files = List.copyOf(files);
            this.intervalNanos = interval.toNanos();
            this.build = build;
            this.what = what;
            this.stamps = stamps();
            this.current = first;
            this.nextCheckNanos = System.nanoTime() + intervalNanos;
        }

        T get() {
            long now = System.nanoTime();
            if (now - nextCheckNanos >= 0) {
                synchronized (this) {
                    if (now - nextCheckNanos >= 0) {
                        nextCheckNanos = now + intervalNanos;
                        reloadIfChanged();
                    }
                }
            }
            return current;
        }

        private void reloadIfChanged() {
            List<String> now = stamps();
            if (now.equals(stamps)) {
                return;
            }
            try {
                current = build.get();
                stamps = now;
                LOG.log(System.Logger.Level.INFO, "tls.watch_certs: loaded the changed {0} from {1}", what, files);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "tls.watch_certs: keeping the current " + what + ": " + e.getMessage());
            }
        }

        /** Size and modification time of each file (through symbolic links, as secrets are swapped). */
        private List<String> stamps() {
            List<String> out = new ArrayList<>();
            for (Path file : files) {
                try {
                    out.add(Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis());
                } catch (IOException e) {
                    out.add("unreadable");
                }
            }
            return out;
        }
    }

    /** Checks with the trust manager made of the CA files as they are now. */
    static final class TrustManager extends X509ExtendedTrustManager {
        private final Watched<X509ExtendedTrustManager> trust;

        TrustManager(Watched<X509ExtendedTrustManager> trust) {
            this.trust = trust;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.get().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.get().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.get().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.get().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.get().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.get().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.get().getAcceptedIssuers();
        }
    }

    /** Presents the client certificate with the key manager made of the files as they are now. */
    static final class KeyManager extends X509ExtendedKeyManager {
        private final Watched<X509ExtendedKeyManager> keys;

        KeyManager(Watched<X509ExtendedKeyManager> keys) {
            this.keys = keys;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keys.get().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keys.get().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.get().getClientAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.get().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.get().getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.get().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.get().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keys.get().chooseEngineServerAlias(keyType, issuers, engine);
        }
    }
}
