package io.thunderstream.engine.status;

import io.thunderstream.engine.lmdb.DbiFlags;
import io.thunderstream.engine.lmdb.LmdbEnvironment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.lmdbjava.Dbi;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statistics of one LMDB and its DBIs, read in one read transaction: for the {@code stats}
 * command, the status page, the {@code lmdb_*} metrics and the periodic stats log.
 *
 * @param name       the LMDB's name in the config
 * @param mapSize    the map size in bytes
 * @param pageSize   the page size in bytes
 * @param lastPage   the highest page number in use: the file needs {@code (lastPage + 1) * pageSize} bytes
 * @param lastTxnId  the last committed transaction id
 * @param readers    reader slots in use
 * @param maxReaders reader slots available
 * @param dbis       every named DBI, private ones included
 */
public record LmdbStats(String name, long mapSize, int pageSize, long lastPage, long lastTxnId, int readers, int maxReaders,
        List<DbiStats> dbis) {

    private static final Logger log = LoggerFactory.getLogger(LmdbStats.class);

    /**
     * One DBI.
     *
     * @param flags the DBI's LMDB flags, as the bits of {@link DbiFlags}
     */
    public record DbiStats(String name, long entries, int depth, long branchPages, long leafPages, long overflowPages,
            int pageSize, int flags) {

        /** Bytes in the DBI's pages. */
        public long usedBytes() {
            return (branchPages + leafPages + overflowPages) * pageSize;
        }

        public String flagNames() {
            return DbiFlags.toString(flags);
        }
    }

    /** Reads the statistics of {@code lmdb} now. */
    public static LmdbStats read(LmdbEnvironment lmdb) {
        EnvInfo info = lmdb.env().info();
        Stat envStat = lmdb.env().stat();
        List<DbiStats> dbis = new ArrayList<>();
        Txn<ByteBuffer> txn = lmdb.env().txnRead();
        try {
            for (String dbiName : lmdb.dbiNames(txn)) {
                Dbi<ByteBuffer> dbi = lmdb.dbi(txn, dbiName);
                if (dbi == null) {
                    continue;
                }
                Stat s = dbi.stat(txn);
                dbis.add(new DbiStats(dbiName, s.entries, s.depth, s.branchPages, s.leafPages, s.overflowPages, s.pageSize,
                        LmdbEnvironment.flags(txn, dbi)));
            }
            lmdb.commit(txn);
        } finally {
            lmdb.abort(txn);
        }
        return new LmdbStats(lmdb.name(), info.mapSize, envStat.pageSize, info.lastPageNumber, info.lastTransactionId,
                info.numReaders, info.maxReaders, List.copyOf(dbis));
    }

    /** Bytes in the pages of all DBIs (Lightning Stream's "used"). */
    public long usedBytes() {
        return dbis.stream().mapToLong(DbiStats::usedBytes).sum();
    }

    /** Bytes of the map in use, free pages included: what the data file needs. */
    public long highWaterBytes() {
        return (lastPage + 1) * pageSize;
    }

    /**
     * Logs one line for the LMDB and one per DBI, as Lightning Stream does every
     * {@code lmdb_log_stats_interval}; with {@code scrapeSmaps}, one more for the memory map of
     * {@code dataFile} (see {@link MappedMemory}).
     */
    public static void log(LmdbEnvironment lmdb, Path dataFile, boolean scrapeSmaps) {
        try {
            LmdbStats stats = read(lmdb);
            log.info("db {}: LMDB info: map size {} bytes, used {} bytes, last txn {}, readers {} of {}", stats.name(),
                    stats.mapSize(), stats.highWaterBytes(), stats.lastTxnId(), stats.readers(), stats.maxReaders());
            for (DbiStats dbi : stats.dbis()) {
                log.info("db {}: LMDB DBI {}: {} entries, depth {}, pages {} branch, {} leaf, {} overflow, flags {}",
                        stats.name(), dbi.name(), dbi.entries(), dbi.depth(), dbi.branchPages(), dbi.leafPages(),
                        dbi.overflowPages(), dbi.flagNames());
            }
            if (scrapeSmaps) {
                Map<String, Long> memory = MappedMemory.read(List.of(dataFile)).get(dataFile);
                if (memory != null) {
                    log.info("db {}: LMDB memory: {}", stats.name(), memory.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("db {}: reading LMDB statistics failed: {}", lmdb.name(), e.toString());
        }
    }
}
