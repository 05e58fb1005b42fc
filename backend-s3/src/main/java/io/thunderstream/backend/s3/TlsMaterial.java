package io.thunderstream.backend.s3;

import io.thunderstream.api.StorageConfigException;
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
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust and key managers from the PEM files (or inline PEM) of the {@code tls} option, the way
 * PowerDNS go-tlsconfig reads them: a private CA replaces the system CAs unless
 * {@code add_system_ca_pool} is set; a client certificate is sent when cert and key are given.
 */
final class TlsMaterial {

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsMaterial() {
    }

    /** Trust managers for a private CA, or empty to use the JVM's default trust. */
    static Optional<TrustManager[]> trustManagers(S3Options.TlsOptions tls) {
        if (!tls.hasCa()) {
            return Optional.empty();
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate cert : certificates(pem(tls.caFile(), tls.ca(), "tls.ca_file"), "tls.ca_file")) {
                store.setCertificateEntry("ca-" + n++, cert);
            }
            if (tls.addSystemCaPool()) {
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
    static Optional<KeyManager[]> keyManagers(S3Options.TlsOptions tls) {
        if (!tls.hasClientCert()) {
            if (tls.certFile().isPresent() || tls.cert().isPresent() || tls.keyFile().isPresent() || tls.key().isPresent()) {
                throw fail("tls: a client certificate needs both cert_file (or cert) and key_file (or key)");
            }
            return Optional.empty();
        }
        try {
            List<Certificate> chain = certificates(pem(tls.certFile(), tls.cert(), "tls.cert_file"), "tls.cert_file");
            PrivateKey key = privateKey(pem(tls.keyFile(), tls.key(), "tls.key_file"));
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return Optional.of(factory.getKeyManagers());
        } catch (GeneralSecurityException | IOException e) {
            // Never the key's text: only what went wrong with it.
            throw fail("cannot use the client certificate of tls.cert_file/tls.key_file: " + e.getClass().getSimpleName());
        }
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

    private static String pem(Optional<Path> file, Optional<String> inline, String option) {
        if (file.isPresent()) {
            try {
                return Files.readString(file.get(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw fail("cannot read " + option + " " + file.get() + ": " + e.getClass().getSimpleName());
            }
        }
        return inline.orElseThrow();
    }

    private static List<Certificate> certificates(String pem, String option) throws GeneralSecurityException {
        List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        if (certs.isEmpty()) {
            throw fail(option + " holds no PEM certificate");
        }
        return certs;
    }

    /** A PKCS#8 key ("PRIVATE KEY") of any type, or a PKCS#1 RSA key ("RSA PRIVATE KEY"). */
    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
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

    private static StorageConfigException fail(String problem) {
        return new StorageConfigException("storage (type s3): " + problem);
    }
}
