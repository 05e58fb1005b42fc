package io.thunderstream.backend.azure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Azurite blob emulator per test run, on a free loopback port, stopped when the run ends.
 *
 * <p>Found at {@code $AZURITE_BIN}, else at {@code .tools/azurite/node_modules/.bin/azurite-blob}
 * in the checkout (installed by {@code backend-azure/install-azurite.sh}). When it is missing the
 * tests are skipped, except under {@code CI=true}, where that is a failure. Public, and published
 * in this module's test-jar, for the tests of other modules that sync through Azure.
 */
public final class Azurite implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    /** Azurite's well-known development account (public, documented by Microsoft). */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final int port;
    private final String scheme;
    private final Path workspace;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private Azurite(Path bin, List<String> extraArgs, String scheme) throws IOException, InterruptedException {
        this.workspace = Files.createTempDirectory("azurite");
        this.port = freePort();
        this.scheme = scheme;
        List<String> command = new ArrayList<>(List.of(bin.toString(), "--skipApiVersionCheck", "--inMemoryPersistence",
                "--disableTelemetry", "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(port), "--silent"));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workspace.toFile())
                .redirectErrorStream(true);
        this.process = pb.start();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "azurite-output");
        drain.setDaemon(true);
        drain.start();
        awaitListening();
    }

    static final String MISSING = "Azurite not found: run backend-azure/install-azurite.sh (needs node and npm) "
            + "or set AZURITE_BIN to an azurite-blob executable";

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The shared instance for this test run, started on first use. */
    public static Azurite get(ExtensionContext context) {
        Path bin = find().orElseThrow(() -> new IllegalStateException(MISSING + (ci() ? " (CI=true: the Azure tests must run)" : "")));
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Azurite.class, k -> start(bin), Azurite.class);
    }

    /** An instance of its own on HTTPS, with a PKCS#12 certificate and key; the caller closes it. */
    public static Azurite https(Path pkcs12, String password) {
        Path bin = find().orElseThrow(() -> new IllegalStateException(MISSING));
        return start(bin, List.of("--cert", pkcs12.toString(), "--pwd", password), "https");
    }

    private static Azurite start(Path bin) {
        return start(bin, List.of(), "http");
    }

    private static Azurite start(Path bin, List<String> extraArgs, String scheme) {
        try {
            return new Azurite(bin, extraArgs, scheme);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Azurite at " + bin + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Azurite", e);
        }
    }

    static Optional<Path> find() {
        String env = System.getenv("AZURITE_BIN");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".tools/azurite/node_modules/.bin/azurite-blob");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls the port until Azurite accepts connections, or fails when it exits or takes 60 s. */
    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                // poll again
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited with status " + process.exitValue() + ": " + output);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("Azurite did not listen on port " + port + " within 60 s: " + output);
            }
            // Wait for output or a short while, whichever comes first, before polling again.
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    /** The blob endpoint, path style: {@code http://127.0.0.1:port/devstoreaccount1} (or https). */
    public String endpoint() {
        return scheme + "://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** Options for a shared-key backend on this Azurite. */
    public Map<String, Object> options(String container) {
        return Map.of("account_name", ACCOUNT, "account_key", KEY, "use_shared_key", true,
                "endpoint_url", endpoint(), "container", container, "create_container", true);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(workspace)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
