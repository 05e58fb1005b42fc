package io.thunderstream.engine.sweeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.engine.config.SweeperConfig;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.sync.SyncListener;
import io.thunderstream.engine.testing.NativeLmdb;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** The tombstone sweeper (compat.md section 7) on real LMDB files. */
class SweeperTest {

    private static final long DAY = 86_400_000_000_000L;
    private static final long NOW = 1_770_000_000_000_000_000L;

    @TempDir
    Path dir;

    private static SweeperConfig config(Duration lock, Duration release) {
        return new SweeperConfig(true, 370, Duration.ofHours(6), Duration.ofMinutes(10), lock, release, Duration.ZERO);
    }

    @Test
    void removesOnlyTombstonesOlderThanTheRetentionFromEveryDbiInSlices() throws Exception {
        try (NativeLmdb app = NativeLmdb.open(dir, "a", "b", "_sync_meta")) {
            int n = 3000;
            for (String dbi : List.of("a", "b", "_sync_meta")) {
                writeBatch(app.env(), dbi, 0, n, i -> i % 3 == 0 ? NOW - 400 * DAY : NOW - 10 * DAY, i -> i % 3 != 2);
            }
            // i % 3 == 0: old tombstone (swept); == 1: recent tombstone (kept); == 2: live (kept)
            List<SweepStats> reported = new ArrayList<>();
            Sweeper sweeper = new Sweeper(app.lmdb(), config(Duration.ZERO, Duration.ZERO), true,
                    new SyncListener() {
                        @Override
                        public void sweepDone(String db, SweepStats stats) {
                            reported.add(stats);
                        }
                    }, () -> NOW);

            SweepStats stats = sweeper.sweep();

            assertThat(stats.cleaned()).isEqualTo(3 * 1000);
            assertThat(stats.deleted()).isEqualTo(3 * 1000);
            assertThat(stats.entries()).isEqualTo(3 * 2000);
            assertThat(stats.transactions()).as("a zero lock_duration ends a slice every few hundred entries").isGreaterThan(9);
            assertThat(reported).containsExactly(stats);
            Map<String, Map<String, NativeLmdb.Entry>> contents = app.contents();
            for (String dbi : List.of("a", "b")) {
                assertThat(contents.get(dbi)).hasSize(2000);
                for (int i = 0; i < n; i++) {
                    String key = hex(key(i));
                    assertThat(contents.get(dbi).containsKey(key)).as("%s key %d", dbi, i).isEqualTo(i % 3 != 0);
                }
            }
            assertThat(sweeper.sweep().cleaned()).as("a second sweep finds nothing more").isZero();
        }
    }

    /** In shadow mode the application's values carry no header: only the shadows (and other _sync DBIs) are swept. */
    @Test
    void inShadowModeOnlyTheSyncDbisAreSwept() throws Exception {
        try (NativeLmdb app = NativeLmdb.open(dir, "records", "_sync_shadow_records")) {
            int n = 300;
            writeBatch(app.env(), "_sync_shadow_records", 0, n, i -> NOW - 400 * DAY, i -> i % 3 == 0);
            Dbi<ByteBuffer> records = app.env().openDbi("records", DbiFlags.MDB_CREATE);
            try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
                for (int i = 0; i < n; i++) {
                    // three bytes, shorter than a header: sweeping this DBI would fail on the first
                    records.put(txn, ByteBuffer.allocateDirect(12).put(key(i)).flip(),
                            ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip());
                }
                txn.commit();
            }
            Sweeper sweeper = new Sweeper(app.lmdb(), config(Duration.ZERO, Duration.ZERO), false,
                    new SyncListener() { }, () -> NOW);

            SweepStats stats = sweeper.sweep();

            assertThat(stats.cleaned()).isEqualTo(n / 3);
            Dbi<ByteBuffer> shadow = app.env().openDbi("_sync_shadow_records");
            try (Txn<ByteBuffer> txn = app.env().txnRead()) {
                assertThat(records.stat(txn).entries).as("the application's DBI is untouched").isEqualTo(n);
                assertThat(shadow.stat(txn).entries).isEqualTo(n - n / 3);
            }
        }
    }

    @Test
    void anApplicationWritingDuringASweepOfAMillionEntriesWaitsAtMostAboutLockDuration() throws Exception {
        Duration lock = Duration.ofMillis(50);
        try (NativeLmdb app = NativeLmdb.open(dir, "big", "app")) {
            int n = 1_000_000;
            for (int start = 0; start < n; start += 100_000) {
                writeBatch(app.env(), "big", start, start + 100_000, i -> i % 2 == 0 ? NOW - 400 * DAY : NOW, i -> i % 2 == 0);
            }
            Sweeper sweeper = new Sweeper(app.lmdb(), config(lock, Duration.ofMillis(50)), true,
                    new SyncListener() { }, () -> NOW);
            AtomicBoolean sweeping = new AtomicBoolean(true);
            AtomicLong longestWaitNanos = new AtomicLong();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                Dbi<ByteBuffer> dbi = app.env().openDbi("app", DbiFlags.MDB_CREATE);
                ByteBuffer key = ByteBuffer.allocateDirect(8);
                ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 8);
                while (sweeping.get()) {
                    long asked = System.nanoTime();
                    try (Txn<ByteBuffer> txn = app.env().txnWrite()) {
                        longestWaitNanos.accumulateAndGet(System.nanoTime() - asked, Math::max);
                        key.clear().putLong(writes.get()).flip();
                        value.clear();
                        ValueHeader.write(value, NOW, txn.getId(), 0);
                        value.putLong(writes.incrementAndGet()).flip();
                        dbi.put(txn, key, value);
                        txn.commit();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // an application writes now and then
                }
            }, "application");
            // The build machine is shared: a thread may be descheduled for a while with the lock held.
            // A probe measures how late the machine wakes a sleeping thread; that much is forgiven.
            AtomicLong longestStallNanos = new AtomicLong();
            Thread probe = new Thread(() -> {
                while (sweeping.get()) {
                    long before = System.nanoTime();
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    longestStallNanos.accumulateAndGet(System.nanoTime() - before - 1_000_000, Math::max);
                }
            }, "stall-probe");
            writer.start();
            probe.start();
            SweepStats stats;
            try {
                stats = sweeper.sweep();
            } finally {
                sweeping.set(false);
                writer.join();
                probe.join();
            }

            assertThat(stats.cleaned()).isEqualTo(n / 2);
            assertThat(stats.transactions()).as("the sweep was sliced").isGreaterThan(2);
            assertThat(writes.get()).as("the application wrote during the sweep").isGreaterThan(stats.transactions());
            // A commit's page writes and syncs wait for the disk, which the shared machine may keep
            // busy: the sweeper keeps back half a slice for them, the rest is forgiven too.
            Duration diskStall = stats.longestCommit().minus(lock.dividedBy(2));
            assertThat(Duration.ofNanos(longestWaitNanos.get()))
                    .as("longest wait for the write lock; sweep took %s in %d transactions, holding the lock up to %s"
                            + " (commit up to %s); the machine stalled threads up to %s", stats.duration(), stats.transactions(),
                            stats.longestHold(), stats.longestCommit(), Duration.ofNanos(longestStallNanos.get()))
                    .isLessThan(lock.plusMillis(10).plusNanos(longestStallNanos.get())
                            .plus(diskStall.isNegative() ? Duration.ZERO : diskStall));
        }
    }

    private static byte[] key(int i) {
        return String.format("key-%08d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    /** Keys [from, to) in one transaction: deleted ones when {@code deleted} says so, at the given time. */
    private static void writeBatch(Env<ByteBuffer> env, String dbiName, int from, int to,
            java.util.function.IntToLongFunction timestamp, java.util.function.IntPredicate deleted) {
        Dbi<ByteBuffer> dbi = env.openDbi(dbiName, DbiFlags.MDB_CREATE);
        ByteBuffer key = ByteBuffer.allocateDirect(64);
        ByteBuffer value = ByteBuffer.allocateDirect(ValueHeader.SIZE + 16);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (int i = from; i < to; i++) {
                key.clear().put(key(i)).flip();
                value.clear();
                boolean isDeleted = deleted.test(i);
                ValueHeader.write(value, timestamp.applyAsLong(i), txn.getId(), isDeleted ? ValueHeader.FLAG_DELETED : 0);
                if (!isDeleted) {
                    value.put("value-of-entry".getBytes(StandardCharsets.UTF_8));
                }
                dbi.put(txn, key, value.flip());
            }
            txn.commit();
        }
    }
}
