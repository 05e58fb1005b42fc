package io.thunderstream.engine.merge;

import io.thunderstream.engine.snapshot.SnapshotReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A downloaded snapshot that can be read more than once: its {@code .pb.gz} bytes in memory or
 * in a temp file, or, once {@link SnapshotCheck} read it whole, its decompressed protobuf in a
 * {@link SnapshotSpool}. The merge reads it a second time only in the rare case that it must
 * learn a new DBI's flags, which the wire may carry after the DBI's entries, or when a merge in
 * several transactions must check it whole first.
 */
public interface SnapshotSource {

    /** The snapshot's name, for messages. */
    String name();

    /** A fresh stream over the bytes: gzip-compressed unless {@link #decompressed}. */
    InputStream open() throws IOException;

    /** Whether {@link #open} gives the protobuf itself rather than gzip. */
    default boolean decompressed() {
        return false;
    }

    /** A fresh reader over the snapshot. */
    default SnapshotReader reader() throws IOException {
        InputStream in = open();
        return decompressed() ? new SnapshotReader(in) : SnapshotReader.openGzip(in);
    }

    /**
     * The final flags of every DBI when the whole snapshot passed {@link SnapshotCheck}; empty
     * when it was not checked.
     */
    default Optional<Map<String, Long>> checkedDbiFlags() {
        return Optional.empty();
    }

    /**
     * The final flags of every DBI: the checked ones, or else read in a pass over the whole
     * snapshot, since the wire may carry a DBI's flags after its entries.
     */
    default Map<String, Long> dbiFlags() throws IOException {
        Optional<Map<String, Long>> checked = checkedDbiFlags();
        if (checked.isPresent()) {
            return checked.get();
        }
        Map<String, Long> flags = new HashMap<>();
        try (SnapshotReader reader = reader()) {
            for (SnapshotReader.Event e; (e = reader.next()) != SnapshotReader.Event.END; ) {
                if (e == SnapshotReader.Event.DBI_END) {
                    flags.put(reader.dbiName(), reader.dbiFlags());
                }
            }
        }
        return flags;
    }

    /**
     * Where the merge can be cut in two halves compared side by side: only for a checked snapshot
     * with a large DBI, read decompressed, so that the upper half skips to its start without
     * inflating what it skips.
     */
    default Optional<SplitPoint> splitPoint() {
        return Optional.empty();
    }

    /**
     * {@code source}, known to have passed {@link SnapshotCheck}; read from {@code spool}, which
     * holds its decompressed protobuf, unless that is null.
     *
     * @param split where its merge can be cut in two, or null; dropped when it would be read compressed
     */
    static SnapshotSource checked(SnapshotSource source, SnapshotSpool spool, Map<String, Long> dbiFlags, SplitPoint split) {
        Optional<Map<String, Long>> flags = Optional.of(Map.copyOf(dbiFlags));
        boolean decompressed = spool != null || source.decompressed();
        Optional<SplitPoint> splitPoint = Optional.ofNullable(split).filter(s -> decompressed);
        return new SnapshotSource() {
            @Override
            public String name() {
                return source.name();
            }

            @Override
            public InputStream open() throws IOException {
                return spool != null ? spool.open() : source.open();
            }

            @Override
            public boolean decompressed() {
                return decompressed;
            }

            @Override
            public Optional<Map<String, Long>> checkedDbiFlags() {
                return flags;
            }

            @Override
            public Optional<SplitPoint> splitPoint() {
                return splitPoint;
            }
        };
    }

    /** Opens a fresh stream over a snapshot's compressed bytes. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    /** A source over the {@code .pb.gz} bytes {@code opener} gives. */
    static SnapshotSource of(String name, Opener opener) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open() throws IOException {
                return opener.open();
            }
        };
    }

    /** A source over bytes in memory. */
    static SnapshotSource of(String name, byte[] compressed) {
        return of(name, () -> new java.io.ByteArrayInputStream(compressed));
    }

    /** A source over a file. */
    static SnapshotSource of(String name, java.nio.file.Path file) {
        return of(name, () -> new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16));
    }
}
