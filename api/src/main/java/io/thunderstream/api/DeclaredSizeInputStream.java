package io.thunderstream.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The data of {@link StorageBackend#write}, held to its declared size: reading past that size,
 * or reaching the end short of it, throws a {@link StorageException} before the backend can
 * store anything. A size of {@code -1} (unknown) checks nothing.
 */
public final class DeclaredSizeInputStream extends FilterInputStream {

    private final long size;
    private final String what;
    private long count;

    /** @param what the write, for messages, e.g. {@code azure: write of env1/main__a__x.pb.gz} */
    public DeclaredSizeInputStream(InputStream in, long size, String what) {
        super(in);
        this.size = size;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        counted(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return counted(super.read(buf, off, len));
    }

    private int counted(int n) throws StorageException {
        if (size < 0) {
            return n;
        }
        if (n < 0 && count != size) {
            throw new StorageException(what + " aborted: the data holds " + count + " bytes, not the declared " + size
                    + "; nothing was stored");
        }
        if (n > 0 && (count += n) > size) {
            throw new StorageException(what + " aborted: the data holds more than the declared " + size
                    + " bytes; nothing was stored");
        }
        return n;
    }
}
