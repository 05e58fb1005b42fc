import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * Soak writer: every ~20 ms one write transaction into DBI "records" of A's LMDB (80 %) or
 * B's (20 %). Keys: a bounded set k00000..k04999 (absent/tombstoned -> put "new", else 75 %
 * overwrite, 25 % delete-as-tombstone), plus 2 % of writes a never-seen key u-<inst>-<seq>.
 * Values: 24-byte LS header (BE ts ns, BE txn id, version 0, flags 1=deleted, reserved 0,
 * 0 extension blocks) + 20..200 random bytes; a delete is the header with the deleted flag only.
 *
 * Run by run.sh: java --add-opens ... -cp "DIST/lib/*" Writer.java DIR_A DIR_B [intervalMs]
 */
public class Writer {
    static final int KEYS = 5000;
    static long lastTs = 0;

    public static void main(String[] args) throws Exception {
        File a = new File(args[0]);
        File b = new File(args[1]);
        long interval = args.length > 2 ? Long.parseLong(args[2]) : 20;
        Env<ByteBuffer> ea = open(a);
        Env<ByteBuffer> eb = open(b);
        Dbi<ByteBuffer> da = ea.openDbi("records", DbiFlags.MDB_CREATE);
        Dbi<ByteBuffer> db = eb.openDbi("records", DbiFlags.MDB_CREATE);
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                main.join(5000);
            } catch (InterruptedException e) {
            }
        }));
        Random rnd = new Random(42);
        ByteBuffer key = ByteBuffer.allocateDirect(64);
        ByteBuffer val = ByteBuffer.allocateDirect(256);
        long n = 0, puts = 0, overwrites = 0, deletes = 0, uniq = 0;
        long start = System.currentTimeMillis(), lastLog = start;
        long next = System.nanoTime();
        while (!stop.get()) {
            boolean toA = rnd.nextInt(100) < 80;
            Env<ByteBuffer> env = toA ? ea : eb;
            Dbi<ByteBuffer> dbi = toA ? da : db;
            String k;
            boolean unique = rnd.nextInt(100) < 2;
            if (unique) {
                k = "u-" + (toA ? "a" : "b") + "-" + (uniq++);
            } else {
                k = String.format("k%05d", rnd.nextInt(KEYS));
            }
            key.clear();
            key.put(k.getBytes(StandardCharsets.US_ASCII)).flip();
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                ByteBuffer cur = dbi.get(txn, key);
                boolean live = cur != null && cur.remaining() >= 24 && (cur.get(cur.position() + 17) & 1) == 0;
                boolean delete = live && !unique && rnd.nextInt(100) < 25;
                if (!live) {
                    puts++;
                } else if (delete) {
                    deletes++;
                } else {
                    overwrites++;
                }
                long ts = Math.max(System.currentTimeMillis() * 1_000_000L + (System.nanoTime() % 1_000_000L + 1_000_000L) % 1_000_000L, lastTs + 1);
                lastTs = ts;
                val.clear();
                val.order(ByteOrder.BIG_ENDIAN);
                val.putLong(ts).putLong(txn.getId()).put((byte) 0).put((byte) (delete ? 1 : 0)).putInt(0).putShort((short) 0);
                if (!delete) {
                    int len = 20 + rnd.nextInt(181);
                    for (int i = 0; i < len; i++) {
                        val.put((byte) ('a' + rnd.nextInt(26)));
                    }
                }
                val.flip();
                dbi.put(txn, key, val);
                txn.commit();
            }
            n++;
            long now = System.currentTimeMillis();
            if (now - lastLog >= 60_000) {
                System.out.printf("%tT writes %d (new %d, overwrite %d, delete %d, unique %d) %.1f/s%n", now, n, puts, overwrites, deletes, uniq,
                        n * 1000.0 / (now - start));
                System.out.flush();
                lastLog = now;
            }
            next += interval * 1_000_000L;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
            } else {
                next = System.nanoTime();
            }
        }
        System.out.printf("stopped: writes %d (new %d, overwrite %d, delete %d, unique %d)%n", n, puts, overwrites, deletes, uniq);
        ea.close();
        eb.close();
    }

    static Env<ByteBuffer> open(File dir) {
        dir.mkdirs();
        return Env.create().setMapSize(256L << 20).setMaxDbs(64).setMaxReaders(126).open(dir, EnvFlags.MDB_NOTLS);
    }
}
