package io.thunderstream.engine.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageBackends;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.engine.config.CleanupConfig;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sync.SyncListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cleaner's rules (compat.md section 6), driven by a clock the test moves. */
class CleanerTest {

    private static final Instant T0 = Instant.parse("2026-01-10T12:00:00Z");
    private static final CleanupConfig CONFIG = new CleanupConfig(true, Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofHours(168));

    private final AtomicLong now = new AtomicLong(nanos(T0));
    private final List<String> deletedEvents = new ArrayList<>();
    private final List<String> failedEvents = new ArrayList<>();
    private StorageBackend bucket;

    @TempDir
    Path dir;

    @BeforeEach
    void openBucket() throws Exception {
        bucket = StorageBackends.discover(getClass().getClassLoader())
                .open(StorageConfig.of("fs", Map.of("root_path", dir.toString())));
    }

    @AfterEach
    void closeBucket() throws Exception {
        bucket.close();
    }

    private Cleaner cleaner(StorageBackend storage) {
        return new Cleaner("main", storage, CONFIG, new SyncListener() {
            @Override
            public void cleanerDeleted(String db, String name, String reason, Exception why) {
                (why == null ? deletedEvents : failedEvents).add(reason + ": " + name);
            }

            @Override
            public void cleanerListed(String db, Exception why) {
                if (why != null) {
                    failedEvents.add("list: " + why.getMessage());
                }
            }
        }, now::get);
    }

    private String put(String instance, Instant timestamp) throws IOException {
        return put("main", instance, timestamp);
    }

    private String put(String db, String instance, Instant timestamp) throws IOException {
        String name = SnapshotName.of(db, instance, timestamp).toString();
        bucket.write(name, new byte[] {1, 2, 3});
        return name;
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private List<String> names() throws IOException {
        return bucket.list("").stream().map(BlobInfo::name).toList();
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void deletesOlderSnapshotsOfAnInstanceOnceSeenForMustKeepInterval() throws Exception {
        String a1 = put("a", T0.minusSeconds(30));
        String a2 = put("a", T0.minusSeconds(20));
        String a3 = put("a", T0.minusSeconds(10));
        String b1 = put("b", T0.minusSeconds(5));
        Cleaner cleaner = cleaner(bucket);

        assertThat(cleaner.runOnce()).as("everything is new: first seen now").isEmpty();
        advance(Duration.ofMinutes(10));
        assertThat(cleaner.runOnce()).as("seen exactly must_keep_interval ago: still kept").isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(cleaner.runOnce()).containsExactlyInAnyOrder(a1, a2);
        assertThat(names()).containsExactlyInAnyOrder(a3, b1);
        assertThat(deletedEvents).containsExactlyInAnyOrder("newer snapshot: " + a1, "newer snapshot: " + a2);
    }

    @Test
    void aNewSnapshotKeepsThePreviousNewestForAnotherRound() throws Exception {
        String a1 = put("a", T0);
        Cleaner cleaner = cleaner(bucket);
        cleaner.runOnce();
        advance(Duration.ofMinutes(20));
        String a2 = put("a", T0.plus(Duration.ofMinutes(20)));

        assertThat(cleaner.runOnce()).as("a2 only just appeared: a1 stays the newest known").isEmpty();
        advance(Duration.ofMinutes(5));
        assertThat(cleaner.runOnce()).as("a2 seen, within must_keep: it is the newest, a1 goes").containsExactly(a1);
        advance(Duration.ofHours(1));
        assertThat(cleaner.runOnce()).isEmpty();
        assertThat(names()).containsExactly(a2);
    }

    @Test
    void keepsTheNewestSnapshotOfAStaleInstanceUntilTheMergeIsProven() throws Exception {
        Instant old = T0.minus(Duration.ofHours(200));
        String dead1 = put("dead", old.minusSeconds(60));
        String dead2 = put("dead", old);
        String own = put("me", T0);
        Cleaner cleaner = cleaner(bucket);
        cleaner.runOnce();
        advance(Duration.ofMinutes(11));

        assertThat(cleaner.runOnce()).as("older one of the instance goes; its newest stays, nothing merged").containsExactly(dead1);

        cleaner.snapshotMerged("main", dead1, null);
        cleaner.snapshotStored("main", own, 5, 100);
        assertThat(cleaner.runOnce()).as("an older snapshot of the instance merged does not prove the newest").isEmpty();

        cleaner.snapshotMerged("main", dead2, null);
        assertThat(cleaner.runOnce()).as("merged but not yet part of a snapshot of our own").isEmpty();

        cleaner.snapshotMerged("other-db", dead2, null);
        cleaner.snapshotStored("other-db", own, 6, 100);
        assertThat(cleaner.runOnce()).as("another LMDB's store proves nothing here").isEmpty();

        cleaner.snapshotStored("main", own, 7, 100);
        assertThat(cleaner.runOnce()).containsExactly(dead2);
        assertThat(deletedEvents).contains("stale instance: " + dead2);
        assertThat(names()).containsExactly(own);
    }

    @Test
    void aStaleInstanceIsOnlyOlderThanRemoveOldInstancesInterval() throws Exception {
        String recent = put("quiet", T0.minus(Duration.ofHours(167)));
        Cleaner cleaner = cleaner(bucket);
        cleaner.runOnce();
        cleaner.snapshotMerged("main", recent, null);
        cleaner.snapshotStored("main", SnapshotName.of("main", "me", T0).toString(), 1, 1);
        advance(Duration.ofMinutes(30));
        assertThat(cleaner.runOnce()).as("167.5 h old: not stale").isEmpty();
        advance(Duration.ofMinutes(31));
        assertThat(cleaner.runOnce()).as("168.01 h old and merge proven").containsExactly(recent);
    }

    @Test
    void leavesOtherFilesAndOtherDatabasesAlone() throws Exception {
        bucket.write("main__notes.txt", new byte[] {1});
        bucket.write("README", new byte[] {1});
        String shard1 = put("shard", "a", T0.minusSeconds(10));
        String shard2 = put("shard", "a", T0);
        String main1 = put("a", T0.minusSeconds(10));
        String main2 = put("a", T0);
        Cleaner cleaner = cleaner(bucket);
        cleaner.runOnce();
        advance(Duration.ofHours(1));
        assertThat(cleaner.runOnce()).containsExactly(main1);
        assertThat(names()).containsExactlyInAnyOrder("main__notes.txt", "README", shard1, shard2, main2);
    }

    @Test
    void severalCleanersAtOnceAgreeAndMissingObjectsAreNoError() throws Exception {
        List<String> expectedGone = new ArrayList<>();
        for (String instance : List.of("a", "b", "c")) {
            for (int i = 0; i < 5; i++) {
                String name = put(instance, T0.minusSeconds(100 - i));
                if (i < 4) {
                    expectedGone.add(name);
                }
            }
        }
        ListingOf secondView = new ListingOf(bucket, null);
        Cleaner first = cleaner(bucket);
        Cleaner second = cleaner(secondView);
        first.runOnce();
        second.runOnce();
        advance(Duration.ofMinutes(11));
        // The second lists before the first deletes, as two hosts may: it deletes what is gone already.
        secondView.listing = bucket.list("main__");
        List<String> deletedByFirst = first.runOnce();
        List<String> deletedBySecond = second.runOnce();
        assertThat(deletedByFirst).containsExactlyInAnyOrderElementsOf(expectedGone);
        assertThat(deletedBySecond).containsExactlyInAnyOrderElementsOf(expectedGone);
        assertThat(failedEvents).isEmpty();
        assertThat(names()).hasSize(3);
    }

    @Test
    void aFailedListingDeletesNothing() throws Exception {
        put("a", T0.minusSeconds(10));
        put("a", T0);
        AtomicBoolean down = new AtomicBoolean();
        StorageBackend flaky = new ListingOf(bucket, null) {
            @Override
            public List<BlobInfo> list(String prefix) throws IOException {
                if (down.get()) {
                    throw new IOException("bucket unreachable");
                }
                return bucket.list(prefix);
            }
        };
        Cleaner cleaner = cleaner(flaky);
        cleaner.runOnce();
        advance(Duration.ofHours(1));
        down.set(true);
        assertThat(cleaner.runOnce()).isEmpty();
        assertThat(failedEvents).containsExactly("list: bucket unreachable");
        assertThat(names()).hasSize(2);
    }

    @Test
    void perturbedIntervalsStayWithinTwentyPercent() {
        Duration d = Duration.ofMinutes(5);
        for (int i = 0; i < 1000; i++) {
            assertThat(Cleaner.perturbed(d)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(6).minusNanos(1));
        }
    }

    /** A view of a bucket whose listing is frozen (null: live), as another host may have listed it a moment ago. */
    private static class ListingOf implements StorageBackend {
        final StorageBackend bucket;
        volatile List<BlobInfo> listing;

        ListingOf(StorageBackend bucket, List<BlobInfo> listing) {
            this.bucket = bucket;
            this.listing = listing;
        }

        @Override
        public List<BlobInfo> list(String prefix) throws IOException {
            return listing != null ? listing : bucket.list(prefix);
        }

        @Override
        public java.io.InputStream read(String name) throws IOException {
            return bucket.read(name);
        }

        @Override
        public void write(String name, java.io.InputStream data, long size) throws IOException {
            bucket.write(name, data, size);
        }

        @Override
        public void delete(String name) throws IOException {
            bucket.delete(name);
        }
    }
}
