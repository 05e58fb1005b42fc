package io.thunderstream.engine.merge;

import java.io.IOException;
import java.io.InputStream;

/**
 * A downloaded snapshot ({@code .pb.gz} bytes) that can be read more than once: in memory or
 * in a temp file. The merge reads it a second time only in the rare case that it must learn a
 * new DBI's flags, which the wire may carry after the DBI's entries.
 */
public interface SnapshotSource {

    /** The snapshot's name, for messages. */
    String name();

    /** A fresh stream over the compressed bytes. */
    InputStream open() throws IOException;

    /** A source over bytes in memory. */
    static SnapshotSource of(String name, byte[] compressed) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open() {
                return new java.io.ByteArrayInputStream(compressed);
            }
        };
    }

    /** A source over a file. */
    static SnapshotSource of(String name, java.nio.file.Path file) {
        return new SnapshotSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public InputStream open() throws IOException {
                return new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16);
            }
        };
    }
}
