package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.testing.Prerequisite;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end with real PowerDNS Authoritative servers: {@code pdns_server}, {@code pdnsutil} and
 * {@code dig} from a Debian root made by {@code .ci/pdns-root.sh} (debootstrap, cached outside the
 * checkout), the packaged {@code bin/thunderstream}, and S3Proxy as the bucket, all on loopback.
 * Two read-write instances and one receive-only instance, as in Lightning Stream's demo; and the
 * upgrade of two servers from 4.7 (shadow mode) to 4.9 (native mode).
 *
 * <p>Needs root (chroot). Without it, or without the Debian package registry, the test is
 * skipped, except under {@code CI=true}, where that is a failure.
 */
@Tag("e2e")
class PowerDnsE2EIT {

    private static final Duration CONVERGE = Duration.ofSeconds(10);
    private static final String ACCESS_KEY = "e2e-access";
    private static final String SECRET_KEY = "e2e-secret";
    private static final String BUCKET = "e2e";

    private S3Proxy s3;
    /** Where the syncers' configs are, and the PowerDNS files in the (first) Debian root. */
    private Path work;
    private final List<Path> works = new ArrayList<>();
    private Path logs;
    private final List<Pdns> servers = new ArrayList<>();
    private final List<SyncerProcess> syncers = new ArrayList<>();
    private String flavor;

    @BeforeEach
    void startBucket() throws Exception {
        Properties properties = new Properties();
        var blobStore = ContextBuilder.newBuilder("transient").overrides(properties).build(BlobStoreContext.class).getBlobStore();
        s3 = S3Proxy.builder().blobStore(blobStore)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0")).build();
        s3.start();
        while (!s3.getState().equals("STARTED")) {
            Thread.onSpinWait();
        }
        logs = Path.of("target", "e2e-logs");
        Files.createDirectories(logs);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (SyncerProcess s : syncers) {
            s.stop();
        }
        for (Pdns p : servers) {
            p.stop();
        }
        if (s3 != null) {
            s3.stop();
        }
        for (Path dir : works) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** PowerDNS 4.9 (Debian 13) in native mode: every value carries the Lightning Stream header. */
    @Test
    void powerDns49InNativeMode() throws Exception {
        run("trixie", "4.9", true);
    }

    /**
     * PowerDNS 4.7 (Debian 12): values without headers, so the syncers run in shadow mode; its
     * INTEGERKEY DBIs and DUPSORT|DUPFIXED index DBIs ({@code domains_0}, {@code keydata_0}...)
     * need dupsort_hack.
     */
    @Test
    void powerDns47InShadowMode() throws Exception {
        run("bookworm", "4.7", false);
    }

    /**
     * The upgrade from PowerDNS 4.7 in shadow mode to 4.9 in native mode, as Lightning Stream
     * documents it. 4.9 moves the data to schema 5 itself: {@code records_v5} keeps the keys of
     * {@code records}, each value gets a header of timestamp 0, and what the shadow knew (times,
     * deletions) would be lost. {@code migrate-timestamps} carries it over, so a deletion that
     * server 2 missed before the upgrade wins once both sync in native mode, instead of coming
     * back from server 2.
     */
    @Test
    void powerDns47UpgradedTo49KeepsTheDeletionsItsShadowKnew() throws Exception {
        flavor = "upgrade";
        Path bookworm = debianRoot("bookworm");
        Path trixie = debianRoot("trixie");
        work = workIn(bookworm);
        Pdns old1 = new Pdns(bookworm, "4.7", 1, false).start();
        Pdns old2 = new Pdns(bookworm, "4.7", 2, false).start();
        SyncerProcess oldSync1 = new SyncerProcess(old1, "sync", BUCKET).start();
        SyncerProcess oldSync2 = new SyncerProcess(old2, "sync", BUCKET).start();
        old1.pdnsutil("create-zone", "example.org", "ns1.example.org");
        old1.pdnsutil("add-record", "example.org", "www", "A", "60", "192.0.2.3");
        old1.pdnsutil("add-record", "example.org", "gone", "A", "60", "192.0.2.4");
        step("instance 2 (4.7) answers gone.example.org A", () -> old2.dig("gone.example.org", "A").contains("192.0.2.4"));
        oldSync2.stop(); // server 2 misses the deletion
        old1.pdnsutil("delete-rrset", "example.org", "gone", "A");
        step("instance 1's shadow holds the deletion", () -> oldSync1.thunderstream("dump", "--headers", "-n", "shard",
                "--dbi", "_sync_shadow_records").contains(" deleted\t"));
        oldSync1.stop();
        old1.stop();
        old2.stop();

        // Native mode shares no bucket with shadow mode (it refuses the dupsort_hack transform).
        Pdns new1 = old1.upgradedTo(trixie, "4.9").start();
        Pdns new2 = old2.upgradedTo(trixie, "4.9").start();
        SyncerProcess sync1 = new SyncerProcess(new1, "sync", "e2e-v5");
        SyncerProcess sync2 = new SyncerProcess(new2, "sync", "e2e-v5");
        // The 4.7 config kept by mistake is refused before anything is written or stored.
        Path keptConfig = work.resolve("thunderstream1-kept-4.7.yaml");
        Files.writeString(keptConfig, Files.readString(sync1.config).replace("schema_tracks_changes: true",
                "schema_tracks_changes: false").replace("dupsort_hack: false", "dupsort_hack: true"));
        List<String> kept = List.of(LauncherIT.distribution().resolve("bin/thunderstream").toString(), "-c",
                keptConfig.toString(), "sync", "--only-once");
        assertThat(runLogged(kept, kept, sync1.log)).contains("schema_tracks_changes: false (shadow mode), but DBI ",
                " is PowerDNS 4.8's or later's");
        assertThat(sync2.thunderstream("snapshots", "list")).isBlank();
        String[] migrate = {"experimental", "migrate-timestamps", "--add-delete-entries", "--database", "shard",
            "--src-dbi", "_sync_shadow_records", "--dst-dbi", "records_v5"};
        assertThat(sync1.thunderstream(migrate)).contains("lmdb shard: 3 timestamps raised in records_v5, 1 tombstones added");
        assertThat(sync2.thunderstream(migrate)).contains("lmdb shard: 4 timestamps raised in records_v5, 0 tombstones added");

        // Server 2's stale record is in the bucket before server 1 starts and merges it.
        sync2.start();
        sync1.start();
        assertThat(Files.readString(sync1.log)).contains("merged snapshot shard__pdns-2__");
        for (Pdns p : List.of(new1, new2)) {
            step("instance " + p.n + " (4.9) has gone.example.org deleted, www kept", () -> p.dig("gone.example.org", "A")
                    .contains("status: NXDOMAIN") && p.dig("www.example.org", "A").contains("192.0.2.3"));
        }
    }

    private void run(String suite, String version, boolean lightningStream) throws Exception {
        flavor = version;
        Path root = debianRoot(suite);
        work = workIn(root);
        Pdns pdns1 = new Pdns(root, version, 1, lightningStream).start();
        Pdns pdns2 = new Pdns(root, version, 2, lightningStream).start();
        Pdns pdns3 = new Pdns(root, version, 3, lightningStream).start();
        SyncerProcess sync1 = new SyncerProcess(pdns1, "sync", BUCKET).start();
        SyncerProcess sync2 = new SyncerProcess(pdns2, "sync", BUCKET).start();
        SyncerProcess sync3 = new SyncerProcess(pdns3, "receive", BUCKET).start();

        pdns1.pdnsutil("create-zone", "example.org", "ns1.example.org");
        pdns1.pdnsutil("secure-zone", "example.org");
        pdns1.pdnsutil("set-meta", "example.org", "foo", "bar");
        pdns1.pdnsutil("add-record", "example.org", "www", "A", "60", "192.0.2.3");
        pdns2.pdnsutil("generate-tsig-key", "example123", "hmac-sha512");
        for (Pdns p : List.of(pdns2, pdns3)) {
            step("instance " + p.n + " answers www.example.org A", () -> p.dig("www.example.org", "A").contains("192.0.2.3"));
            step("instance " + p.n + " has the DNSSEC keys", () -> p.api("/zones/example.org/cryptokeys").contains("\"active\": true"));
            step("instance " + p.n + " signs (RRSIG)", () -> p.dig("www.example.org", "A", "+dnssec").contains("RRSIG"));
            step("instance " + p.n + " has metadata foo = bar", () -> p.pdnsutil("get-meta", "example.org", "foo").contains("foo = bar"));
        }
        for (Pdns p : List.of(pdns1, pdns3)) {
            step("instance " + p.n + " has the TSIG key (HTTP API)", () -> p.api("/tsigkeys").contains("\"name\": \"example123\""));
        }

        // Concurrent edits of different records on both writers.
        Thread other = new Thread(() -> pdns2.pdnsutil("add-record", "example.org", "two", "A", "60", "192.0.2.22"));
        other.start();
        pdns1.pdnsutil("add-record", "example.org", "one", "A", "60", "192.0.2.11");
        other.join();
        for (Pdns p : List.of(pdns1, pdns2, pdns3)) {
            step("instance " + p.n + " has both concurrent edits", () -> p.dig("one.example.org", "A").contains("192.0.2.11")
                    && p.dig("two.example.org", "A").contains("192.0.2.22"));
        }

        // Instance 2 restarts from nothing: its syncer must bring everything back and lose nothing.
        sync2.stop();
        pdns2.stop();
        pdns2.deleteLmdb();
        pdns2.start();
        sync2.start();
        step("instance 2 restarted from an empty LMDB answers www.example.org A",
                () -> pdns2.dig("www.example.org", "A").contains("192.0.2.3"));
        step("instance 2 restarted has its TSIG key back", () -> pdns2.api("/tsigkeys").contains("\"name\": \"example123\""));
        pdns1.pdnsutil("add-record", "example.org", "after", "A", "60", "192.0.2.33");
        for (Pdns p : List.of(pdns1, pdns2, pdns3)) {
            step("instance " + p.n + " lost nothing and syncs on", () -> p.dig("two.example.org", "A").contains("192.0.2.22")
                    && p.dig("after.example.org", "A").contains("192.0.2.33")
                    && p.pdnsutil("get-meta", "example.org", "foo").contains("foo = bar"));
        }

        pdns2.pdnsutil("delete-zone", "example.org");
        for (Pdns p : List.of(pdns1, pdns3)) {
            step("instance " + p.n + " no longer serves example.org", () -> p.dig("www.example.org", "A").contains("REFUSED")
                    && !p.pdnsutil("list-all-zones").contains("example.org"));
        }
        if (lightningStream) {
            zoneCreatedTwice(List.of(pdns1, pdns2, pdns3), sync1, sync2);
        }
        assertThat(Files.readString(sync1.log)).as("random zone ids").doesNotContain("go up to only");
        sequentialZoneIds(root, version, lightningStream);
    }

    /**
     * Two servers create the same zone while one of them does not sync: PowerDNS 4.8+ gives each
     * its own id, so once synced the name index holds it twice. The fix command finds it and, asked
     * to, renames the newer entry; the rename syncs to the other servers.
     */
    private void zoneCreatedTwice(List<Pdns> all, SyncerProcess sync1, SyncerProcess sync2) throws Exception {
        sync2.stop();
        all.get(0).pdnsutil("create-zone", "twice.example", "ns1.twice.example");
        all.get(1).pdnsutil("create-zone", "twice.example", "ns1.twice.example");
        sync2.start();
        step("instance 2 holds twice.example under two ids", () -> sync2.fixDuplicateDomains(false)
                .contains("lmdb main: 1 duplicate domain entry (run again with --dangerous-do-rename"));
        String fixed = sync2.fixDuplicateDomains(true);
        Matcher renamed = Pattern.compile("- (twice\\.example\\.dup-\\d+\\.invalid)").matcher(fixed);
        if (!renamed.find()) {
            throw new AssertionError("no zone renamed:\n" + fixed + allLogs());
        }
        step("instance 1 has the rename: no duplicate, " + renamed.group(1) + " to delete", () -> {
            String out = sync1.fixDuplicateDomains(false);
            return out.contains("lmdb main: 0 duplicate domain entries") && out.contains("- " + renamed.group(1));
        });
        for (Pdns p : all) {
            step("instance " + p.n + " serves twice.example", () -> p.dig("twice.example", "SOA").contains("status: NOERROR"));
        }
    }

    /**
     * A fourth server without the setting that makes zone ids random (lmdb-lightning-stream=yes
     * from 4.8, lmdb-random-ids=yes in 4.7): the syncer warns of its sequential zone ids.
     */
    private void sequentialZoneIds(Path root, String version, boolean lightningStream) throws Exception {
        Pdns plain = new Pdns(root, version, 4, lightningStream);
        String setting = lightningStream ? "lmdb-lightning-stream=yes" : "lmdb-random-ids=yes";
        List<String> conf = Files.readAllLines(plain.host("pdns.conf"));
        conf.remove(setting);
        Files.write(plain.host("pdns.conf"), conf);
        plain.pdnsutil("create-zone", "plain.example", "ns1.plain.example");
        String sync = new SyncerProcess(plain, "sync", "e2e-plain").thunderstream("sync", "--only-once");
        assertThat(sync).contains("lmdb main: the zone ids in DBI " + (lightningStream ? "domains_v5" : "domains")
                + " (1 zone) go up to only 1: PowerDNS seems to run without " + setting);
    }

    /** Waits up to 10 s for {@code condition}, prints how long it took, fails with every log attached. */
    private void step(String what, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("PowerDNS " + flavor + ": " + what + ": not within " + CONVERGE.toSeconds() + " s"
                        + allLogs());
            }
            Thread.sleep(100);
        }
        System.out.printf("e2e PowerDNS %s: %-60s %6d ms%n", flavor, what, (System.nanoTime() - start) / 1_000_000);
    }

    private String allLogs() {
        StringBuilder s = new StringBuilder();
        for (Pdns p : servers) {
            s.append(tail(p.log));
        }
        for (SyncerProcess p : syncers) {
            s.append(tail(p.log));
        }
        return s.toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n----- " + log + " (last 80 lines) -----\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "\n----- " + log + ": " + e.getMessage();
        }
    }

    /** The Debian root of {@code suite} with PowerDNS, built once by .ci/pdns-root.sh. */
    private static Path debianRoot(String suite) throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve(".ci/pdns-root.sh");
        String why;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "not root (chroot needs it)";
        } else {
            Path out = Files.createTempFile("pdns-root", ".log");
            Process p = new ProcessBuilder("bash", script.toString(), suite).redirectError(out.toFile()).start();
            String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.isExecutable(Path.of(path, "usr/sbin/pdns_server"))) {
                return Path.of(path);
            }
            why = script + " " + suite + " failed:\n" + Files.readString(out);
        }
        throw Prerequisite.missing("PowerDNS end-to-end tests: " + why);
    }

    /** The test's directory in {@code root}, made at first use: PowerDNS there sees it at the same path less the root. */
    private Path workIn(Path root) throws IOException {
        for (Path dir : works) {
            if (dir.startsWith(root)) {
                return dir;
            }
        }
        Path dir = Files.createTempDirectory(root.resolve("tmp"), "ts-e2e-");
        works.add(dir);
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One pdns_server in the Debian root, its files under the test's work directory there. */
    private final class Pdns {
        final int n;
        final Path root;
        final String version;
        final boolean lightningStream;
        final String dir; // inside the root
        final Path log;
        final int dnsPort;
        final int webPort;
        Process process;

        /** Instance {@code n} of PowerDNS {@code version} from {@code root}, its files in a work directory there. */
        Pdns(Path root, String version, int n, boolean lightningStream) throws IOException {
            this.root = root;
            this.version = version;
            this.n = n;
            this.lightningStream = lightningStream;
            this.dir = "/" + root.relativize(workIn(root).resolve("pdns" + n));
            this.log = logs.resolve(logName("pdns"));
            Files.deleteIfExists(log); // from an earlier run
            this.dnsPort = freePort();
            this.webPort = freePort();
            servers.add(this);
            Files.createDirectories(host("data"));
            Files.createDirectories(host("run"));
            List<String> conf = new ArrayList<>(List.of(
                    "launch=lmdb",
                    "lmdb-filename=" + dir + "/data/pdns.lmdb",
                    "lmdb-shards=1",
                    "local-address=127.0.0.1",
                    "local-port=" + dnsPort,
                    "api=yes", "api-key=secret",
                    "webserver=yes", "webserver-address=127.0.0.1", "webserver-port=" + webPort,
                    "webserver-allow-from=127.0.0.0/8",
                    "zone-cache-refresh-interval=0", "zone-metadata-cache-ttl=0",
                    "cache-ttl=0", "negquery-cache-ttl=0", "query-cache-ttl=0",
                    "socket-dir=" + dir + "/run",
                    "guardian=no", "daemon=no", "disable-syslog=yes", "loglevel=6"));
            conf.add(lightningStream ? "lmdb-lightning-stream=yes" : "lmdb-random-ids=yes");
            Files.write(host("pdns.conf"), conf);
        }

        /** The name of this instance's log of {@code what}: the version is added when the test runs two. */
        String logName(String what) {
            return flavor + "-" + what + n + (flavor.equals(version) ? "" : "-" + version) + ".log";
        }

        Path host(String relative) {
            return root.resolve(dir.substring(1)).resolve(relative);
        }

        Pdns start() throws Exception {
            process = new ProcessBuilder("chroot", root.toString(), "pdns_server", "--config-dir=" + dir)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!(Files.exists(host("data/pdns.lmdb")) && api("").contains("\"daemon_type\""))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("PowerDNS " + flavor + " instance " + n + " did not start" + tail(log));
                }
                Thread.sleep(100);
            }
            return this;
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        /** This instance's LMDB files (without the lock files) served by PowerDNS {@code version} from {@code root}. */
        Pdns upgradedTo(Path root, String version) throws IOException {
            Pdns upgraded = new Pdns(root, version, n, true);
            for (String file : List.of("pdns.lmdb", "pdns.lmdb-0")) {
                Files.copy(host("data/" + file), upgraded.host("data/" + file));
            }
            return upgraded;
        }

        void deleteLmdb() throws IOException {
            try (Stream<Path> files = Files.list(host("data"))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }

        /** Runs pdnsutil in the root; its output (stdout and stderr). */
        String pdnsutil(String... args) {
            List<String> command = new ArrayList<>(List.of("chroot", root.toString(), "pdnsutil", "--config-dir=" + dir));
            command.addAll(List.of(args));
            return exec(command);
        }

        /** dig against this server; the full answer text. */
        String dig(String name, String type, String... options) {
            List<String> command = new ArrayList<>(List.of("chroot", root.toString(), "dig", "@127.0.0.1", "-p",
                    String.valueOf(dnsPort), "+tries=1", "+time=2", name, type));
            command.addAll(List.of(options));
            return exec(command);
        }

        /** GET on the HTTP API below /api/v1/servers/localhost; empty when it does not answer. */
        String api(String path) {
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + webPort + "/api/v1/servers/localhost" + path))
                        .header("X-API-Key", "secret").timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.body();
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        private String exec(List<String> command) {
            return runLogged(command, command.subList(2, command.size()), log); // without "chroot ROOT"
        }
    }

    /** Runs {@code command} (for at most a minute), appends {@code shown} and its output to {@code log}; the output. */
    private static String runLogged(List<String> command, List<String> shown, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Files.writeString(log, "$ " + String.join(" ", shown) + "\n" + out, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The packaged bin/thunderstream syncing one PowerDNS server's LMDB files. */
    private final class SyncerProcess {
        final Pdns pdns;
        final String command;
        final Path config;
        final Path log;
        Process process;

        /** Runs {@code command} for {@code pdns}, in native mode when its PowerDNS writes the headers, else in shadow mode. */
        SyncerProcess(Pdns pdns, String command, String bucket) throws IOException {
            this.pdns = pdns;
            this.command = command;
            this.log = logs.resolve(pdns.logName("syncer"));
            this.config = work.resolve("thunderstream" + pdns.n + "-" + pdns.version + ".yaml");
            Files.deleteIfExists(log);
            syncers.add(this);
            String lmdb = """
                    %s:
                        path: %s
                        options:
                          no_subdir: true
                          create: true
                          map_size: 16000MB
                        schema_tracks_changes: %s
                        dupsort_hack: %s
                    """;
            String mode = String.valueOf(pdns.lightningStream);
            String hack = String.valueOf(!pdns.lightningStream);
            Files.writeString(config, """
                    instance: pdns-%d
                    lmdbs:
                      %s
                      %s
                    storage:
                      type: s3
                      options:
                        access_key: %s
                        secret_key: %s
                        region: us-east-1
                        bucket: %s
                        create_bucket: true
                        endpoint_url: http://127.0.0.1:%d
                    lmdb_poll_interval: 250ms
                    storage_poll_interval: 250ms
                    storage_retry_interval: 1s
                    """.formatted(pdns.n,
                    lmdb.formatted("main", pdns.host("data/pdns.lmdb"), mode, hack).replace("\n", "\n  ").trim(),
                    lmdb.formatted("shard", pdns.host("data/pdns.lmdb-0"), mode, hack).replace("\n", "\n  ").trim(),
                    ACCESS_KEY, SECRET_KEY, bucket, s3.getPort()));
        }

        SyncerProcess start() throws Exception {
            Path launcher = LauncherIT.distribution().resolve("bin/thunderstream");
            process = new ProcessBuilder(launcher.toString(), "-c", config.toString(), command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Files.readString(log).split("first pass done", -1).length < 3 + countRestarts()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("thunderstream " + command + " for PowerDNS " + flavor + " instance " + pdns.n
                            + " did not finish its first pass" + tail(log));
                }
                Thread.sleep(100);
            }
            starts++;
            return this;
        }

        private int starts;

        /** "first pass done" is logged once per LMDB at every start. */
        private int countRestarts() {
            return 2 * starts;
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        /** {@code experimental pdns-v5-fix-duplicate-domains} on this server's main LMDB, beside the running syncer. */
        String fixDuplicateDomains(boolean rename) {
            return rename ? thunderstream("experimental", "pdns-v5-fix-duplicate-domains", "-d", "main", "--dangerous-do-rename")
                    : thunderstream("experimental", "pdns-v5-fix-duplicate-domains", "-d", "main");
        }

        /** Another command of bin/thunderstream with this syncer's config; its output. */
        String thunderstream(String... args) {
            List<String> command = new ArrayList<>(List.of(LauncherIT.distribution().resolve("bin/thunderstream").toString(),
                    "-c", config.toString()));
            command.addAll(List.of(args));
            return runLogged(command, command, log);
        }
    }
}
