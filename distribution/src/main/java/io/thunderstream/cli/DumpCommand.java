package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.shadow.ShadowMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Txn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thunderstream dump}: the contents of the configured LMDBs, one entry a line. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print the entries of the configured LMDBs: db, DBI, key, value (text when printable, else hex).")
final class DumpCommand extends LmdbCommand implements Callable<Integer> {

    @Option(names = "--dbi", paramLabel = "DBI", description = "Only this DBI (an error, listing the DBIs there are, when no LMDB has it).")
    String dbi;

    @Option(names = {"-H", "--hide"}, description = "Leave out the syncer's own DBIs (_sync*).")
    boolean hide;

    @Option(names = "--headers", description = "Decode the Lightning Stream value headers (timestamp, txn, flags): "
            + "of every data DBI in native mode, of the shadow DBIs in shadow mode.")
    boolean headers;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<LmdbConfig> lmdbs = lmdbs();
        // The LMDBs without the --dbi asked for, with the DBIs they have: an error when that is all of them.
        List<String> withoutDbi = new ArrayList<>();
        for (LmdbConfig config : lmdbs) {
            try (LmdbEnvironment lmdb = LmdbEnvironment.openExisting(config)) {
                Txn<ByteBuffer> txn = lmdb.env().txnRead();
                try {
                    List<String> names = lmdb.dbiNames(txn);
                    if (dbi != null && !names.contains(dbi)) {
                        withoutDbi.add("lmdb " + config.name() + " (" + (names.isEmpty() ? "no DBIs" : "DBIs: " + String.join(", ", names)) + ")");
                    }
                    for (String name : names) {
                        if ((dbi == null || dbi.equals(name)) && !(hide && LmdbEnvironment.isPrivate(name))) {
                            dump(out, lmdb, txn, name, headers && hasHeaders(config, name));
                        }
                    }
                    lmdb.commit(txn);
                } finally {
                    lmdb.abort(txn);
                }
            }
        }
        out.flush();
        if (!withoutDbi.isEmpty() && withoutDbi.size() == lmdbs.size()) {
            throw new IOException("--dbi " + dbi + ": no DBI of that name in " + String.join(" nor in ", withoutDbi));
        }
        return 0;
    }

    /** Whether the DBI's values start with the Lightning Stream header: in shadow mode only the shadows' do. */
    private static boolean hasHeaders(LmdbConfig config, String name) {
        return name.startsWith(ShadowMode.SHADOW_PREFIX) || config.schemaTracksChanges() && !LmdbEnvironment.isPrivate(name);
    }

    private static void dump(PrintWriter out, LmdbEnvironment lmdb, Txn<ByteBuffer> txn, String name, boolean decodeHeaders) {
        Dbi<ByteBuffer> handle = lmdb.dbi(txn, name);
        try (Cursor<ByteBuffer> cursor = handle.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer key = cursor.key();
                ByteBuffer value = cursor.val();
                StringBuilder line = new StringBuilder().append(lmdb.name()).append('\t').append(name).append('\t')
                        .append(Printable.of(key)).append('\t');
                if (decodeHeaders) {
                    int length = ValueHeader.length(value, name, key);
                    long ts = ValueHeader.timestampNano(value);
                    line.append("ts=").append(Instant.ofEpochSecond(0, ts)).append(" txn=").append(ValueHeader.txnId(value))
                            .append(ValueHeader.isDeleted(value) ? " deleted" : "").append('\t');
                    value.position(value.position() + length);
                }
                out.println(line.append(Printable.of(value)));
            }
        }
    }
}
