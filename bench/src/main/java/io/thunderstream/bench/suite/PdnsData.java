package io.thunderstream.bench.suite;

import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.snapshot.DbiSource;
import io.thunderstream.engine.snapshot.Gzip;
import io.thunderstream.engine.snapshot.SnapshotMeta;
import io.thunderstream.engine.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * The suite's data, PowerDNS-like: a {@code records_v5} DBI of {@code records} entries and a
 * {@code domains_v5} DBI of a tenth as many, keys of 14-40 bytes (a big-endian id, so keys come
 * in order, then a name), application values of 60-200 bytes (record text, partly repetitive,
 * partly random). Generated, never stored: the same seed gives the same entries, so an LMDB and a
 * snapshot of "the same data" are made independently. A variant changes every
 * {@code changeEvery}-th entry, or run of {@code changeRun} adjacent entries (newer timestamp,
 * other value), as another instance's writes would.
 */
final class PdnsData {

    static final long BASE_TS = 1_700_000_000_000_000_000L;
    private static final byte[] TEXT = "3600 IN A 192.0.2.1 ns1.example.net. hostmaster.example.net. 2024010101 10800 3600 604800 3600 "
            .getBytes();
    private static final byte[] NAME = "abcdefghijklmnopqrstuvwxyz0123456789-".getBytes();

    private final int records;
    private final int changeEvery;
    private final int changeRun;
    private final long changedTs;

    private PdnsData(int records, int changeEvery, int changeRun, long changedTs) {
        this.records = records;
        this.changeEvery = changeEvery;
        this.changeRun = changeRun;
        this.changedTs = changedTs;
    }

    static PdnsData of(int records) {
        return new PdnsData(records, 0, 1, 0);
    }

    /** The same data with every {@code every}-th entry of each DBI rewritten at {@code ts}. */
    PdnsData changed(int every, long ts) {
        return changedInRuns(every, 1, ts);
    }

    /**
     * The same data with runs of {@code run} adjacent entries rewritten at {@code ts}, one run in
     * {@code every}: as many changed entries as {@link #changed}, on far fewer pages (a zone's
     * records edited together).
     */
    PdnsData changedInRuns(int every, int run, long ts) {
        return new PdnsData(records, every, run, ts);
    }

    long entries() {
        return records + records / 10L;
    }

    List<DbiSource> dbis() {
        return List.of(new Generated("domains_v5", records / 10, 1), new Generated("records_v5", records, 2));
    }

    /** Writes the data into {@code env} (new DBIs, in key order), with the LMDB value header. */
    void writeTo(Env<ByteBuffer> env) throws IOException {
        ByteBuffer key = ByteBuffer.allocateDirect(511);
        ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 256);
        for (DbiSource source : dbis()) {
            Dbi<ByteBuffer> dbi = env.openDbi(source.name(), DbiFlags.MDB_CREATE);
            Txn<ByteBuffer>[] txn = new Txn[] {env.txnWrite()};
            long[] n = {0};
            source.forEachEntry((k, v, ts, flags) -> {
                key.clear();
                key.put(k).flip();
                value.clear();
                ValueHeader.write(value, ts, txn[0].getId(), flags);
                value.put(v).flip();
                dbi.put(txn[0], key, value, PutFlags.MDB_APPEND);
                if (++n[0] % 100_000 == 0) {
                    txn[0].commit();
                    txn[0] = env.txnWrite();
                }
            });
            txn[0].commit();
        }
    }

    /** Writes the data as a gzipped snapshot of LMDB {@code db} (gzip on 2 threads: setup, not timed). */
    void writeSnapshot(Path file, String db) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                SnapshotWriter w = new SnapshotWriter(Gzip.compress(out, 1, 2),
                        new SnapshotMeta("GX", "generator", "bench", 1, BASE_TS, db, 0))) {
            for (DbiSource dbi : dbis()) {
                w.writeDbi(dbi);
            }
        }
    }

    private final class Generated implements DbiSource {
        private final String name;
        private final int count;
        private final long seed;

        Generated(String name, int count, long seed) {
            this.name = name;
            this.count = count;
            this.seed = seed;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long flags() {
            return 0;
        }

        @Override
        public String transform() {
            return "";
        }

        @Override
        public void forEachEntry(EntrySink sink) throws IOException {
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] k = new byte[40];
            byte[] v = new byte[200];
            ByteBuffer key = ByteBuffer.wrap(k);
            ByteBuffer value = ByteBuffer.wrap(v);
            for (int i = 0; i < count; i++) {
                // id: 6 big-endian bytes, unique and increasing; then a name of 8-34 bytes
                long id = i;
                for (int j = 0; j < 6; j++) {
                    k[j] = (byte) (id >>> (8 * (5 - j)));
                }
                int keyLength = 14 + rnd.nextInt(27);
                for (int j = 6; j < keyLength; j++) {
                    k[j] = NAME[rnd.nextInt(NAME.length)];
                }
                int valueLength = 60 + rnd.nextInt(141);
                int textOffset = rnd.nextInt(TEXT.length);
                for (int j = 0; j < valueLength; j++) {
                    v[j] = j % 3 == 2 ? NAME[rnd.nextInt(NAME.length)] : TEXT[(textOffset + j) % TEXT.length];
                }
                long ts = BASE_TS + i;
                if (changeEvery > 0 && i / changeRun % changeEvery == 0) {
                    ts = changedTs;
                    v[0] ^= 1;
                }
                key.limit(keyLength).position(0);
                value.limit(valueLength).position(0);
                sink.entry(key, value, ts, 0);
            }
        }
    }
}
