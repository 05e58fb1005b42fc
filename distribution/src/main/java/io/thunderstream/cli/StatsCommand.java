package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;
import picocli.CommandLine.Command;

/** {@code thunderstream stats}: LMDB and DBI statistics of the configured LMDBs. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Print LMDB and DBI statistics of the configured LMDBs.")
final class StatsCommand extends LmdbCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (LmdbConfig config : lmdbs()) {
            try (LmdbEnvironment lmdb = LmdbEnvironment.open(config)) {
                EnvInfo info = lmdb.env().info();
                Stat stat = lmdb.env().stat();
                long used = (info.lastPageNumber + 1) * stat.pageSize;
                out.printf("lmdb %s: path %s%n", config.name(), config.path());
                out.printf("  map size %d bytes, used %d bytes (%.1f%%), last txn %d, readers %d of %d%n", info.mapSize, used,
                        100.0 * used / info.mapSize, info.lastTransactionId, info.numReaders, info.maxReaders);
                out.printf("  %-24s %10s %6s %10s %10s %10s  %s%n", "DBI", "entries", "depth", "branch", "leaf", "overflow", "flags");
                Txn<ByteBuffer> txn = lmdb.env().txnRead();
                try {
                    for (String name : lmdb.dbiNames(txn)) {
                        var dbi = lmdb.dbi(txn, name);
                        Stat s = dbi.stat(txn);
                        out.printf("  %-24s %10d %6d %10d %10d %10d  %s%n", name, s.entries, s.depth, s.branchPages, s.leafPages,
                                s.overflowPages, DbiFlags.toString(LmdbEnvironment.flags(txn, dbi)));
                    }
                    lmdb.commit(txn);
                } finally {
                    lmdb.abort(txn);
                }
            }
        }
        out.flush();
        return 0;
    }
}
