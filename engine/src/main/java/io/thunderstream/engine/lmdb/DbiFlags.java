package io.thunderstream.engine.lmdb;

/**
 * LMDB DBI flag values as they appear in {@code mdb_dbi_flags} and in a snapshot's
 * {@code DBI.flags} field.
 */
public final class DbiFlags {
    public static final int REVERSEKEY = 0x02;
    public static final int DUPSORT = 0x04;
    public static final int INTEGERKEY = 0x08;
    public static final int DUPFIXED = 0x10;
    public static final int INTEGERDUP = 0x20;
    public static final int REVERSEDUP = 0x40;

    private DbiFlags() {
    }

    /** True if every bit of {@code flag} is set in {@code flags}. */
    public static boolean has(long flags, int flag) {
        return (flags & flag) == flag;
    }

    /** Readable form for logs and dumps, e.g. {@code INTEGERKEY|DUPSORT}, {@code 0}, or with leftover bits in hex. */
    public static String toString(long flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long rest = flags;
        String[] names = {"REVERSEKEY", "DUPSORT", "INTEGERKEY", "DUPFIXED", "INTEGERDUP", "REVERSEDUP"};
        int[] values = {REVERSEKEY, DUPSORT, INTEGERKEY, DUPFIXED, INTEGERDUP, REVERSEDUP};
        for (int i = 0; i < values.length; i++) {
            if ((rest & values[i]) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(names[i]);
                rest &= ~values[i];
            }
        }
        if (rest != 0) {
            sb.append(sb.length() == 0 ? "" : "|").append("0x").append(Long.toHexString(rest));
        }
        return sb.toString();
    }
}
