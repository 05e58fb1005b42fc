package io.thunderstream.cli;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.config.ThunderstreamConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.Syncer;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code thunderstream demo}: two instances on local LMDBs syncing through a local directory (the
 * fs backend), in one process: an application writes on one, the other receives it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run two instances syncing through a local directory and show a change travel from one to the other.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "thunderstream-demo",
            description = "Where the demo keeps its LMDBs and bucket. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path bucket = dir.resolve("bucket").toAbsolutePath();
        ThunderstreamConfig configA = config("demo-a", dir.resolve("lmdb-a"), bucket);
        ThunderstreamConfig configB = config("demo-b", dir.resolve("lmdb-b"), bucket);
        Logging.apply(configA.log());
        // The application's side of each LMDB, which its syncer shares as PowerDNS's LMDB is shared
        try (LmdbEnvironment lmdbA = LmdbEnvironment.open(configA.lmdbs().get("main"));
                LmdbEnvironment lmdbB = LmdbEnvironment.open(configB.lmdbs().get("main"))) {
            Env<ByteBuffer> a = lmdbA.env();
            Env<ByteBuffer> b = lmdbB.env();
            try (StorageBackend storage = ThunderstreamCommand.of(spec).openStorage(configA);
                    Syncer syncA = Syncer.builder(configA).storage(storage).environment("main", a).build();
                    Syncer syncB = Syncer.builder(configB).storage(storage).environment("main", b).build()) {
                syncA.start();
                syncB.start();
                syncA.awaitFirstPass(Duration.ofSeconds(30));
                syncB.awaitFirstPass(Duration.ofSeconds(30));

                String key = "example.org/www/A/" + Instant.now().toEpochMilli();
                out.println("demo-a: the application writes " + key + " = 192.0.2.3");
                out.flush();
                write(a, "records", key, "192.0.2.3");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String seen;
                while ((seen = read(b, "records", key)) == null && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                if (seen == null) {
                    out.println("demo-b: did not receive " + key + " within 30 s");
                    return ThunderstreamCommand.EXIT_FAILURE;
                }
                out.println("demo-b: received " + key + " = " + seen);
                out.println("snapshots in " + bucket + ":");
                try (var files = Files.list(bucket)) {
                    files.map(p -> "  " + p.getFileName()).sorted().forEach(out::println);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static ThunderstreamConfig config(String instance, Path lmdb, Path bucket) {
        return ThunderstreamConfig.parse("""
                instance: %s
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: true
                      map_size: 64MB
                storage:
                  type: fs
                  options:
                    root_path: %s
                lmdb_poll_interval: 200ms
                storage_poll_interval: 200ms
                """.formatted(instance, lmdb.toAbsolutePath(), bucket), Map.of());
    }

    /** Writes a value with the Lightning Stream header, as PowerDNS 4.8+ does. */
    private static void write(Env<ByteBuffer> env, String dbiName, String key, String value) {
        Dbi<ByteBuffer> dbi = env.openDbi(dbiName, DbiFlags.MDB_CREATE);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer val = ByteBuffer.allocateDirect(ValueHeader.SIZE + v.length);
            Instant now = Instant.now();
            ValueHeader.write(val, now.getEpochSecond() * 1_000_000_000L + now.getNano(), txn.getId(), 0);
            val.put(v).flip();
            dbi.put(txn, ByteBuffer.allocateDirect(k.length).put(k).flip(), val);
            txn.commit();
        }
    }

    private static String read(Env<ByteBuffer> env, String dbiName, String key) {
        if (env.getDbiNames().stream().noneMatch(n -> new String(n, StandardCharsets.UTF_8).equals(dbiName))) {
            return null;
        }
        Dbi<ByteBuffer> dbi = env.openDbi(dbiName);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            ByteBuffer val = dbi.get(txn, ByteBuffer.allocateDirect(k.length).put(k).flip());
            if (val == null) {
                return null;
            }
            val.position(val.position() + ValueHeader.length(val, dbiName, null));
            return StandardCharsets.UTF_8.decode(val).toString();
        }
    }
}
