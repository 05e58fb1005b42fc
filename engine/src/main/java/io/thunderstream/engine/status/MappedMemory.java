package io.thunderstream.engine.status;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the kernel says of LMDB memory maps in {@code /proc/self/smaps} (Linux only), for
 * {@code lmdb_scrape_smaps}: each {@code kB} line of a data file's mapping ({@code Size},
 * {@code Rss}, {@code Pss}, {@code Shared_Clean}, ...) in bytes, under its name in lower case, as
 * Lightning Stream's {@code lmdb_smaps_bytes{smap}} reports them. Reading smaps makes the kernel
 * walk the page tables of every mapping of the process, so it is read once for all LMDBs.
 */
final class MappedMemory {

    static final Path SMAPS = Path.of("/proc/self/smaps");

    private MappedMemory() {
    }

    /**
     * The mapping of each data file in this process, by data file; a file that is not mapped (or a
     * system without smaps) has no entry. The kernel names a mapping by its real path, so the data
     * files are matched by theirs.
     */
    static Map<Path, Map<String, Long>> read(Collection<Path> dataFiles) throws IOException {
        Map<String, Path> byRealPath = new HashMap<>();
        for (Path dataFile : dataFiles) {
            try {
                byRealPath.put(dataFile.toRealPath().toString(), dataFile);
            } catch (NoSuchFileException e) {
                // not there (yet): nothing can map it
            }
        }
        if (byRealPath.isEmpty() || !Files.isReadable(SMAPS)) {
            return Map.of();
        }
        Map<String, Map<String, Long>> mappings;
        try (BufferedReader smaps = Files.newBufferedReader(SMAPS, StandardCharsets.UTF_8)) {
            mappings = parse(smaps, byRealPath.keySet());
        }
        Map<Path, Map<String, Long>> out = new LinkedHashMap<>();
        mappings.forEach((realPath, fields) -> out.put(byRealPath.get(realPath), fields));
        return out;
    }

    /**
     * The first mapping of each of {@code paths} in smaps text, as Lightning Stream takes it (LMDB
     * maps a data file once per environment).
     */
    static Map<String, Map<String, Long>> parse(BufferedReader smaps, Collection<String> paths) throws IOException {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        Map<String, Long> fields = null; // of the mapping being read, when it is one of paths
        for (String line; (line = smaps.readLine()) != null; ) {
            int colon = line.indexOf(':');
            int space = line.indexOf(' ');
            if (space > 0 && (colon < 0 || colon > space)) { // "start-end perms offset dev inode path": a new mapping
                String path = mappedPath(line);
                fields = paths.contains(path) && !out.containsKey(path) ? new LinkedHashMap<>() : null;
                if (fields != null) {
                    out.put(path, fields);
                }
            } else if (fields != null && line.endsWith(" kB") && colon > 0) {
                String value = line.substring(colon + 1, line.length() - " kB".length()).trim();
                try {
                    fields.put(line.substring(0, colon).toLowerCase(Locale.ROOT), Long.parseLong(value) * 1024);
                } catch (NumberFormatException e) {
                    throw new IOException("smaps: not a number of kB in \"" + line + "\"", e);
                }
            }
        }
        return out;
    }

    /** The path of a mapping's header line: what follows its first five fields (it may hold spaces). */
    private static String mappedPath(String header) {
        int i = 0;
        for (int field = 0; field < 5; field++) {
            while (i < header.length() && header.charAt(i) == ' ') {
                i++;
            }
            while (i < header.length() && header.charAt(i) != ' ') {
                i++;
            }
        }
        return header.substring(i).strip();
    }
}
