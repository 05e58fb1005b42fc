package io.thunderstream.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Settings for one DBI: {@code lmdbs.<name>.dbi_options.<dbi>}.
 *
 * @param overrideCreateFlags the LMDB flags to create this DBI with when a snapshot brings it
 *                            and it does not exist yet, instead of the snapshot's flags. Only
 *                            needed for snapshots of LS before 0.3.0, which stored wrong flags.
 */
public record DbiOptions(OptionalInt overrideCreateFlags) {

    // The persistent DBI flags of LMDB, by their C names (LS accepts them with or without MDB_).
    private static final String[] FLAG_NAMES = {null, "MDB_REVERSEKEY", "MDB_DUPSORT", "MDB_INTEGERKEY",
        "MDB_DUPFIXED", "MDB_INTEGERDUP", "MDB_REVERSEDUP"};
    private static final int ALL_FLAGS = 0x7e;

    public DbiOptions {
        if (overrideCreateFlags == null) {
            throw new NullPointerException("overrideCreateFlags");
        }
    }

    public static DbiOptions none() {
        return new DbiOptions(OptionalInt.empty());
    }

    /**
     * Parses DBI flags as LS does: C names with or without {@code MDB_} in any case, or numbers
     * (decimal or {@code 0x} hex), separated by {@code |}, {@code ,}, {@code +} or spaces;
     * {@code 0} or nothing means no flags. Only persistent DBI flags are accepted.
     */
    public static int parseFlags(String text) {
        int flags = 0;
        for (String part : text.replace(',', '|').replace('+', '|').replace(' ', '|').split("\\|")) {
            String p = part.trim().toUpperCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            int flag = flagByName(p.startsWith("MDB_") ? p : "MDB_" + p);
            if (flag < 0) {
                flag = number(p);
            }
            if (flag < 0 || (flag & ~ALL_FLAGS) != 0) {
                throw new IllegalArgumentException("invalid DBI flag \"" + part.trim() + "\"; expected names such as "
                        + "MDB_INTEGERKEY or MDB_DUPSORT|MDB_DUPFIXED, or a number");
            }
            flags |= flag;
        }
        return flags;
    }

    /** Flags as LS writes them: {@code MDB_DUPSORT|MDB_DUPFIXED}, or {@code 0}. */
    public static String formatFlags(int flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 1; bit < FLAG_NAMES.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add(FLAG_NAMES[bit]);
            }
        }
        return names.isEmpty() ? "0" : String.join("|", names);
    }

    private static int flagByName(String name) {
        for (int bit = 1; bit < FLAG_NAMES.length; bit++) {
            if (name.equals(FLAG_NAMES[bit])) {
                return 1 << bit;
            }
        }
        return -1;
    }

    private static int number(String text) {
        try {
            long value = text.startsWith("0X") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
            return value > 0xffff ? -1 : (int) value;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
