package io.thunderstream.engine.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP server for the status page, {@code /metrics} and {@code /healthz}: {@code http}.
 *
 * @param address {@code host:port} to listen on; only a port ({@code :8500}) means the loopback
 *                interface, {@code 0.0.0.0:8500} all interfaces; empty: no server
 */
public record HttpConfig(String address) {

    private static final HttpConfig DISABLED = new HttpConfig("");

    public HttpConfig {
        Objects.requireNonNull(address, "address");
    }

    public static HttpConfig disabled() {
        return DISABLED;
    }

    public boolean enabled() {
        return !address.isEmpty();
    }

    /** The host part of the address; empty when only a port is given (the server then binds loopback). */
    public Optional<String> host() {
        String host = address.substring(0, address.lastIndexOf(':'));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
