package io.thunderstream.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.HttpConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.status.Health;
import io.thunderstream.engine.status.LmdbStats;
import io.thunderstream.engine.status.SyncActivity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP status server on the JDK's {@code com.sun.net.httpserver}: {@code /} (status page),
 * {@code /metrics} (Prometheus text format), {@code /healthz} (JSON; 503 when unhealthy) and
 * {@code /storage} (the bucket's listing). An address with only a port ({@code :8500}) binds
 * the loopback interface; give {@code 0.0.0.0:8500} or {@code [::]:8500} to listen on all.
 */
final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Monitoring monitoring;
    private final List<LmdbEnvironment> lmdbs;
    private final StorageBackend storage;
    private final PrometheusTextFormatWriter prometheusText = PrometheusTextFormatWriter.create();

    private StatusServer(HttpServer server, Monitoring monitoring, List<LmdbEnvironment> lmdbs, StorageBackend storage) {
        this.server = server;
        this.monitoring = monitoring;
        this.lmdbs = lmdbs;
        this.storage = storage;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::route);
    }

    static StatusServer start(HttpConfig config, Monitoring monitoring, List<LmdbEnvironment> lmdbs, StorageBackend storage)
            throws IOException {
        InetAddress host = config.host().isPresent() ? InetAddress.getByName(config.host().get()) : InetAddress.getLoopbackAddress();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, config.port()), 0);
        } catch (IOException e) {
            throw new IOException("http.address " + config.address() + ": cannot listen: " + e.getMessage(), e);
        }
        StatusServer status = new StatusServer(server, monitoring, lmdbs, storage);
        server.start();
        log.info("HTTP status server listening on http://{}:{}/ (/metrics, /healthz, /storage)",
                host.getHostAddress().contains(":") ? "[" + host.getHostAddress() + "]" : host.getHostAddress(), status.port());
        return status;
    }

    int port() {
        return server.getAddress().getPort();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/" -> send(exchange, 200, "text/html; charset=utf-8", statusPage());
                case "/metrics" -> metrics(exchange);
                case "/healthz" -> {
                    Health.Report report = monitoring.health.report();
                    send(exchange, report.ok() ? 200 : 503, "application/json", report.toJson());
                }
                case "/storage" -> storageListing(exchange);
                default -> send(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n");
            }
        } catch (RuntimeException e) {
            log.warn("HTTP {}: {}", exchange.getRequestURI(), e.toString());
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        prometheusText.write(body, monitoring.registry.scrape());
        send(exchange, 200, prometheusText.getContentType(), body.toByteArray());
    }

    private void storageListing(HttpExchange exchange) throws IOException {
        List<BlobInfo> listing;
        try {
            listing = storage.list("");
        } catch (IOException | RuntimeException e) {
            send(exchange, 500, "text/plain; charset=utf-8", "ERROR LISTING STORAGE: " + e.getMessage() + "\n");
            return;
        }
        StringBuilder out = new StringBuilder("Name\tSize\n");
        for (BlobInfo blob : listing) {
            out.append(blob.name()).append('\t').append(blob.size()).append('\n');
        }
        send(exchange, 200, "text/plain; charset=utf-8", out.toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private String statusPage() {
        Instant now = Instant.now();
        StringBuilder h = new StringBuilder();
        h.append("""
                <!DOCTYPE html>
                <html>
                <head>
                <meta charset="UTF-8">
                <title>Thunderstream Status</title>
                <style>
                body { font-family: sans-serif; }
                table, td, th { border: 1px solid #ccc; border-collapse: collapse; }
                td, th { padding: 5px; text-align: left; }
                td.n { text-align: right; }
                a { text-decoration: none; color: #3c6ac5; }
                </style>
                </head>
                <body>
                <h1>Thunderstream Status</h1>
                <p><a href="/metrics">Prometheus metrics</a> | <a href="/healthz">healthz</a> | <a href="/storage">storage listing</a></p>
                """);
        h.append("<p>Instance <b>").append(esc(monitoring.config.instance())).append("</b></p>\n");
        h.append("<h2>LMDBs</h2>\n<table>\n<tr><th>DB Name</th><th>MapSize</th><th>Used</th><th>LastTxnID</th><th>Readers</th>"
                + "<th>Error</th></tr>\n");
        List<Object> stats = lmdbs.stream().map(l -> {
            try {
                return (Object) LmdbStats.read(l);
            } catch (RuntimeException e) {
                return (Object) (l.name() + ": " + e.getMessage());
            }
        }).toList();
        for (Object o : stats) {
            if (o instanceof LmdbStats s) {
                h.append("<tr><td>").append(esc(s.name())).append("</td><td class=n>").append(bytes(s.mapSize()))
                        .append("</td><td class=n>").append(bytes(s.usedBytes())).append("</td><td class=n>").append(s.lastTxnId())
                        .append("</td><td>").append(s.readers()).append(" / ").append(s.maxReaders()).append("</td><td></td></tr>\n");
            } else {
                h.append("<tr><td colspan=5></td><td>").append(esc(o.toString())).append("</td></tr>\n");
            }
        }
        h.append("</table>\n");
        for (Object o : stats) {
            if (!(o instanceof LmdbStats s)) {
                continue;
            }
            h.append("<h3>DBIs in ").append(esc(s.name())).append("</h3>\n<table>\n<tr><th>DBI</th><th>Used</th><th>Entries</th>"
                    + "<th>Depth</th><th>BranchPages</th><th>LeafPages</th><th>OverflowPages</th><th>Flags</th></tr>\n");
            for (LmdbStats.DbiStats d : s.dbis()) {
                h.append("<tr><td>").append(esc(d.name())).append("</td><td class=n>").append(bytes(d.usedBytes()))
                        .append("</td><td class=n>").append(d.entries()).append("</td><td class=n>").append(d.depth())
                        .append("</td><td class=n>").append(d.branchPages()).append("</td><td class=n>").append(d.leafPages())
                        .append("</td><td class=n>").append(d.overflowPages()).append("</td><td>").append(esc(d.flagNames()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<h2>Snapshots</h2>\n<table>\n<tr><th>DB</th><th>Instance</th><th>Last</th><th>Snapshot</th><th>When</th>"
                + "<th>Snapshot age</th></tr>\n");
        SyncActivity activity = monitoring.activity;
        for (LmdbEnvironment lmdb : lmdbs) {
            activity.lastStored(lmdb.name()).ifPresent(e -> row(h, lmdb.name(), "stored", e, now));
            for (Map.Entry<String, SyncActivity.Event> e : activity.lastMerged(lmdb.name()).entrySet()) {
                row(h, lmdb.name(), "merged", e.getValue(), now);
            }
        }
        h.append("</table>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String db, String what, SyncActivity.Event e, Instant now) {
        h.append("<tr><td>").append(esc(db)).append("</td><td>").append(esc(e.snapshot().instance())).append("</td><td>")
                .append(what).append("</td><td>").append(esc(e.snapshot().toString())).append("</td><td>")
                .append(ago(Duration.between(e.at(), now))).append("</td><td>")
                .append(ago(Duration.between(e.snapshot().timestamp(), now))).append("</td></tr>\n");
    }

    private static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s < 172_800 ? s / 3600 + " h ago" : s / 86_400 + " days ago";
    }

    private static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format("%.1f %s", v, units[u]);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
