package io.thunderstream.cli;

import io.thunderstream.engine.config.LmdbConfig;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import io.thunderstream.engine.status.LmdbStats;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code thunderstream stats}: LMDB and DBI statistics of the configured LMDBs. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Print LMDB and DBI statistics of the configured LMDBs.")
final class StatsCommand extends LmdbCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (LmdbConfig config : lmdbs()) {
            LmdbStats stats;
            try (LmdbEnvironment lmdb = LmdbEnvironment.openExisting(config)) {
                stats = LmdbStats.read(lmdb);
            }
            long used = stats.highWaterBytes();
            out.printf("lmdb %s: path %s%n", config.name(), config.path());
            out.printf("  map size %d bytes, used %d bytes (%.1f%%), last txn %d, readers %d of %d%n", stats.mapSize(), used,
                    100.0 * used / stats.mapSize(), stats.lastTxnId(), stats.readers(), stats.maxReaders());
            out.printf("  %-24s %10s %6s %10s %10s %10s  %s%n", "DBI", "entries", "depth", "branch", "leaf", "overflow", "flags");
            for (LmdbStats.DbiStats s : stats.dbis()) {
                out.printf("  %-24s %10d %6d %10d %10d %10d  %s%n", s.name(), s.entries(), s.depth(), s.branchPages(),
                        s.leafPages(), s.overflowPages(), s.flagNames());
            }
        }
        out.flush();
        return 0;
    }
}
