package io.thunderstream.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Reads a backend's {@code tls} option (see {@link TlsSettings}) the way PowerDNS go-tlsconfig
 * reads it: PEM files or inline PEM; a private CA replaces the system CAs unless
 * {@code add_system_ca_pool} is set; a client certificate is presented when cert and key are given.
 */
final class TlsMaterial {

    /** The keys under {@code tls}. */
    static final Set<String> KEYS = Set.of("ca_file", "ca", "add_system_ca_pool", "cert_file", "cert", "key_file", "key",
            "insecure_skip_verify", "watch_certs", "watch_certs_poll_interval", "require_client_cert", "insecure_key_log_file");

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];
    /** go-tlsconfig's default {@code watch_certs_poll_interval}. */
    static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);

    /** The {@code tls} map with its {@code tls.*} URL parameters merged in, each as {@code tls.<key>}. */
    private final StorageConfig tls;
    private final String where;

    private TlsMaterial(StorageConfig tls, String where) {
        this.tls = tls;
        this.where = where;
    }

    /** The {@code tls} option of {@code config}; {@code where} ("storage (type s3)") starts its errors. */
    static TlsSettings read(StorageConfig config, String where) {
        Map<String, Object> options = new LinkedHashMap<>(config.map("tls"));
        for (String key : KEYS) {
            config.string("tls." + key).ifPresent(v -> options.put(key, v));
        }
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new StorageConfigException(where + ": unknown tls option" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known: " + String.join(", ", new TreeSet<>(KEYS)));
        }
        // Under their full names, so that a value of the wrong kind is reported as tls.<key>.
        Map<String, Object> named = new LinkedHashMap<>();
        options.forEach((key, value) -> named.put("tls." + key, value));
        TlsMaterial material = new TlsMaterial(StorageConfig.of(config.type().or(config::scheme).orElse("tls"), named), where);
        boolean insecure = material.tls.bool("tls.insecure_skip_verify", false);
        material.tls.bool("tls.require_client_cert", false); // a server's option: a client ignores it, as in go-tlsconfig
        if (material.option("insecure_key_log_file").isPresent()) {
            throw new StorageConfigException(where + ": tls.insecure_key_log_file is not supported: the JVM writes no TLS key"
                    + " log (to debug a handshake, run with JAVA_OPTS=-Djavax.net.debug=ssl:handshake)");
        }
        if (!material.tls.bool("tls.watch_certs", false)) {
            return new TlsSettings(material.trustManagers(), material.keyManagers(), insecure);
        }
        Duration interval = material.tls.duration("tls.watch_certs_poll_interval", Duration.ZERO);
        if (interval.isZero()) {
            interval = DEFAULT_WATCH_INTERVAL;
        }
        return new TlsSettings(material.watchedTrustManagers(interval), material.watchedKeyManagers(interval), insecure);
    }

    /** With {@code watch_certs}: the CA read again when {@code ca_file} changes (inline PEM cannot). */
    private Optional<TrustManager[]> watchedTrustManagers(Duration interval) {
        Optional<TrustManager[]> first = trustManagers();
        List<Path> files = files("ca_file");
        if (first.isEmpty() || files.isEmpty()) {
            return first;
        }
        return Optional.of(new TrustManager[] {new WatchedTls.TrustManager(new WatchedTls.Watched<>(files, interval,
                (X509ExtendedTrustManager) first.get()[0], () -> (X509ExtendedTrustManager) trustManagers().orElseThrow()[0],
                "CA"))});
    }

    /** With {@code watch_certs}: the client certificate read again when its files change. */
    private Optional<KeyManager[]> watchedKeyManagers(Duration interval) {
        Optional<KeyManager[]> first = keyManagers();
        List<Path> files = files("cert_file", "key_file");
        if (first.isEmpty() || files.isEmpty()) {
            return first;
        }
        return Optional.of(new KeyManager[] {new WatchedTls.KeyManager(new WatchedTls.Watched<>(files, interval,
                (X509ExtendedKeyManager) first.get()[0], () -> (X509ExtendedKeyManager) keyManagers().orElseThrow()[0],
                "client certificate"))});
    }

    private List<Path> files(String... fileKeys) {
        return java.util.Arrays.stream(fileKeys).map(this::option).flatMap(Optional::stream).map(Path::of).toList();
    }

    private Optional<String> option(String key) {
        return tls.string("tls." + key).filter(s -> !s.isEmpty());
    }

    /** Trust managers for a private CA, or empty to use the JVM's default trust. */
    private Optional<TrustManager[]> trustManagers() {
        if (option("ca_file").isEmpty() && option("ca").isEmpty()) {
            return Optional.empty();
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate cert : certificates(pem("ca_file", "ca"), "tls.ca_file")) {
                store.setCertificateEntry("ca-" + n++, cert);
            }
            if (tls.bool("tls.add_system_ca_pool", false)) {
                for (X509Certificate cert : systemTrustManager().getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + n++, cert);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return Optional.of(factory.getTrustManagers());
        } catch (GeneralSecurityException | IOException e) {
            throw fail("cannot use the CA of tls.ca_file/tls.ca: " + e.getMessage());
        }
    }

    /** Key managers presenting the client certificate, or empty when none is configured. */
    private Optional<KeyManager[]> keyManagers() {
        boolean cert = option("cert_file").isPresent() || option("cert").isPresent();
        boolean key = option("key_file").isPresent() || option("key").isPresent();
        if (!cert || !key) {
            if (cert || key) {
                throw fail("tls: a client certificate needs both cert_file (or cert) and key_file (or key)");
            }
            return Optional.empty();
        }
        try {
            List<Certificate> chain = certificates(pem("cert_file", "cert"), "tls.cert_file");
            PrivateKey privateKey = privateKey(pem("key_file", "key"));
            if (!signs(privateKey, ((X509Certificate) chain.get(0)).getPublicKey())) {
                // A certificate rotated before (or without) its key, say.
                throw fail("tls: the key of key_file (or key) is not the key of the certificate of cert_file (or cert)");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setKeyEntry("client", privateKey, NO_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return Optional.of(factory.getKeyManagers());
        } catch (GeneralSecurityException | IOException e) {
            // Never the key's text: only what went wrong with it.
            throw fail("cannot use the client certificate of tls.cert_file/tls.key_file: " + e.getClass().getSimpleName());
        }
    }

    /** Whether {@code key} makes signatures that {@code publicKey} verifies: whether they are a pair. */
    private static boolean signs(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, EdDSA
        };
        byte[] challenge = "thunderstream tls key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(challenge);
        return verifier.verify(signature);
    }

    private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no system X.509 trust manager");
    }

    /** The PEM text of the {@code fileKey} file, else of the inline {@code inlineKey}. */
    private String pem(String fileKey, String inlineKey) {
        Optional<String> file = option(fileKey);
        if (file.isPresent()) {
            try {
                return Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw fail("cannot read tls." + fileKey + " " + FileErrors.describe(Path.of(file.get()), e));
            }
        }
        return option(inlineKey).orElseThrow();
    }

    private List<Certificate> certificates(String pem, String option) throws GeneralSecurityException {
        List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        if (certs.isEmpty()) {
            throw fail(option + " holds no PEM certificate");
        }
        return certs;
    }

    /** A PKCS#8 key ("PRIVATE KEY") of any type, or a PKCS#1 RSA key ("RSA PRIVATE KEY"). */
    private PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw fail("tls.key_file holds no PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        String kind = m.group(1);
        if (kind.equals("RSA PRIVATE KEY")) {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
        }
        if (!kind.equals("PRIVATE KEY")) {
            throw fail("tls.key_file: \"" + kind + "\" keys are not supported; convert with "
                    + "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which is what the JDK reads. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] rsaAlgorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
            0x01, 0x05, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(rsaAlgorithm);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] out = new byte[2 + bytes];
        out[0] = (byte) tag;
        out[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[2 + i] = (byte) (length >>> (8 * (bytes - 1 - i)));
        }
        return out;
    }

    private StorageConfigException fail(String problem) {
        return new StorageConfigException(where + ": " + problem);
    }
}
