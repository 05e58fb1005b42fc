package io.thunderstream.engine.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.lmdb.ValueHeader;
import io.thunderstream.engine.merge.SnapshotMerger;
import io.thunderstream.engine.merge.SnapshotSource;
import io.thunderstream.engine.testing.Await;
import io.thunderstream.engine.testing.NativeLmdb;
import io.thunderstream.engine.testing.NativeLmdb.Entry;
import io.thunderstream.engine.testing.TestSnapshots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several instances on real LMDB files syncing through the fs backend. */
class SyncConvergenceTest {

    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private StorageBackend bucket;
    private final List<SyncTestInstance> instances = new ArrayList<>();
    /** Write timestamps: unique and increasing across instances, like real clocks but without ties. */
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000_000_000L);

    @BeforeEach
    void openBucket() throws Exception {
        bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.resolve("bucket").toString())));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (SyncTestInstance i : instances) {
            i.close();
        }
        bucket.close();
    }

    private SyncTestInstance instance(String name) {
        return instance(name, dir.resolve(name), false);
    }

    private SyncTestInstance instance(String name, Path lmdbDir, boolean receiveOnly) {
        SyncTestInstance i = new SyncTestInstance(name, lmdbDir, bucket, receiveOnly, "domains", "records");
        instances.add(i);
        return i;
    }

    private void awaitSame(SyncTestInstance... all) throws InterruptedException {
        Await.until("identical LMDBs on " + List.of(all).stream().map(i -> i.name).toList(), CONVERGE, () -> {
            var first = all[0].app.contents();
            for (SyncTestInstance i : all) {
                if (!i.app.contents().equals(first)) {
                    return false;
                }
            }
            return true;
        }, () -> describe(all));
    }

    private static String describe(SyncTestInstance... all) {
        StringBuilder s = new StringBuilder();
        for (SyncTestInstance i : all) {
            s.append('\n').append(i.name).append(": ").append(i.app.contents());
        }
        return s.toString();
    }

    @Test
    void threeWritersWithRestartsConvergeToTheNewestWriteOfEveryKey() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        SyncTestInstance a = instance("node-a").start();
        SyncTestInstance b = instance("node-b").start();
        SyncTestInstance c = instance("node-c").start();
        List<SyncTestInstance> all = List.of(a, b, c);
        // What must survive: the newest write of every key, whoever made it.
        Map<String, Entry> expected = new TreeMap<>();

        for (int round = 0; round < 6; round++) {
            if (round == 2) {
                b.stop(); // b keeps taking application writes while its syncer is down
            }
            if (round == 4) {
                b.start();
            }
            for (int n = 0; n < 40; n++) {
                SyncTestInstance at = all.get(random.nextInt(3));
                String dbi = random.nextBoolean() ? "domains" : "records";
                String key = "key-" + random.nextInt(60);
                long ts = clock.incrementAndGet();
                if (random.nextInt(5) == 0) {
                    at.app.delete(dbi, key, ts);
                    expected.put(dbi + "/" + key, new Entry(ts, ValueHeader.FLAG_DELETED, ""));
                } else {
                    String value = "v" + random.nextInt(1_000_000);
                    at.app.put(dbi, key, value, ts);
                    expected.put(dbi + "/" + key, new Entry(ts, 0, hex(value)));
                }
            }
            Thread.sleep(150); // let some rounds overlap with syncing, others not
        }
        awaitSame(a, b, c);

        Map<String, Entry> actual = new TreeMap<>();
        a.app.contents().forEach((dbi, entries) -> entries.forEach((k, e) ->
                actual.put(dbi + "/" + new String(HexFormat.of().parseHex(k), StandardCharsets.UTF_8), e)));
        assertThat(actual).as("seed %d", seed).isEqualTo(expected);
    }

    @Test
    void theSameKeyAtTheSameNanosecondConvergesOnTheBiggerValue() throws Exception {
        SyncTestInstance a = instance("node-a");
        SyncTestInstance b = instance("node-b");
        long ts = clock.incrementAndGet();
        a.app.put("domains", "example.org", "from-a-bigger", ts);
        b.app.put("domains", "example.org", "from-a", ts);
        a.start();
        b.start();
        awaitSame(a, b);
        assertThat(a.app.get("domains", "example.org")).isEqualTo("from-a-bigger");
    }

    @Test
    void mergesAloneDoNotCauseSnapshots() throws Exception {
        SyncTestInstance a = instance("node-a").start();
        // b starts with an empty LMDB (txn id 0): everything it ever gets comes from merges.
        SyncTestInstance b = new SyncTestInstance("node-b", dir.resolve("node-b"), bucket, false);
        instances.add(b);
        b.start();
        a.app.put("domains", "x", "1", clock.incrementAndGet());
        Await.until("b merged a's change", CONVERGE, () -> "1".equals(b.app.get("domains", "x")));
        // b's next poll cycles must not store: its LMDB changed only by the merge.
        long merges = b.merged.size();
        a.app.put("domains", "y", "2", clock.incrementAndGet());
        Await.until("b merged a's second change", CONVERGE, () -> b.merged.size() > merges);
        assertThat(b.stored).isEmpty();
    }

    @Test
    void aRestartWithAnEmptyLmdbLoadsItsOwnSnapshotBeforeStoringOne() throws Exception {
        SyncTestInstance a = instance("node-a").start();
        for (int i = 0; i < 20; i++) {
            a.app.put("records", "r" + i, "value-" + i, clock.incrementAndGet());
        }
        Await.until("a stored its data", CONVERGE, () -> !a.stored.isEmpty() && lastStoredHolds(a, 20));
        var before = a.app.contents();
        a.close();
        instances.remove(a);

        SyncTestInstance again = instance("node-a", dir.resolve("node-a-new"), false);
        again.app.put("domains", "new-local", "x", clock.incrementAndGet());
        again.start();
        assertThat(again.app.contents().get("records")).isEqualTo(before.get("records"));
        Await.until("the restarted instance stored a snapshot", CONVERGE, () -> !again.stored.isEmpty());
        assertThat(lastStoredHolds(again, 20)).as("the first snapshot after the restart holds the old data").isTrue();
    }

    /** Whether the instance's last stored snapshot holds {@code records} entries r0..r(n-1). */
    private boolean lastStoredHolds(SyncTestInstance i, int n) {
        String name = i.stored.get(i.stored.size() - 1);
        try (NativeLmdb probe = NativeLmdb.open(dir.resolve("probe-" + System.nanoTime()))) {
            new SnapshotMerger(probe.lmdb(), false)
                    .merge(SnapshotSource.of(name, bucket.readAllBytes(name)), 0);
            var records = probe.contents().get("records");
            return records != null && records.size() >= n;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void corruptIncompatibleAndJunkFilesDoNotStopTheSync() throws Exception {
        bucket.write("README.txt", "not a snapshot".getBytes());
        bucket.write("main__evil__20240101-000000-000000000__GX.pb.gz", "garbage".getBytes());
        bucket.write("main__future__20240101-000000-000000000__GX.pb.gz", TestSnapshots.vector("v99-incompatible"));
        bucket.write("main__cut__20240101-000000-000000000__GX.pb.gz", TestSnapshots.vector("corrupt-truncated"));
        SyncTestInstance a = instance("node-a").start();
        SyncTestInstance b = instance("node-b").start();
        assertThat(a.rejected).containsExactlyInAnyOrder(
                "main__evil__20240101-000000-000000000__GX.pb.gz",
                "main__future__20240101-000000-000000000__GX.pb.gz",
                "main__cut__20240101-000000-000000000__GX.pb.gz");
        a.app.put("domains", "after", "junk", clock.incrementAndGet());
        Await.until("b merged a's change", CONVERGE, () -> "junk".equals(b.app.get("domains", "after")));
        // Rejected once, then skipped: not tried again every poll.
        assertThat(b.rejected).hasSize(3);
    }

    @Test
    void aReceiveOnlyInstanceMergesButNeverStores() throws Exception {
        SyncTestInstance a = instance("node-a").start();
        SyncTestInstance r = instance("receiver", dir.resolve("receiver"), true).start();
        r.app.put("domains", "local-only", "x", clock.incrementAndGet());
        a.app.put("domains", "shared", "y", clock.incrementAndGet());
        Await.until("the receiver merged a's change", CONVERGE, () -> "y".equals(r.app.get("domains", "shared")));
        assertThat(r.stored).isEmpty();
        assertThat(bucket.list("main__receiver__")).isEmpty();
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }
}
