package io.thunderstream.engine.sync;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.engine.snapshot.SnapshotName;
import io.thunderstream.engine.sync.SyncListener.StorageOperation;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The syncer's view of the storage: every list, load and store attempt is timed and told to the
 * {@link SyncListener} (metrics, health), so the sync loop itself needs no instrumentation. The
 * LMDB an operation belongs to is read from the snapshot name or the listed prefix.
 */
final class ObservedStorage implements StorageBackend {

    private final StorageBackend storage;
    private final SyncListener listener;

    ObservedStorage(StorageBackend storage, SyncListener listener) {
        this.storage = storage;
        this.listener = listener;
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        String db = prefix.endsWith("__") ? prefix.substring(0, prefix.length() - 2) : prefix;
        long start = System.nanoTime();
        try {
            List<BlobInfo> listing = storage.list(prefix);
            listener.storageListed(db, listing, System.nanoTime() - start);
            return listing;
        } catch (IOException | RuntimeException e) {
            listener.storageFailed(db, StorageOperation.LIST, prefix, e);
            throw e;
        }
    }

    @Override
    public InputStream read(String name) throws IOException {
        String db = db(name);
        long start = System.nanoTime();
        try {
            return new ObservedInput(storage.read(name), db, name, start);
        } catch (IOException | RuntimeException e) {
            listener.storageFailed(db, StorageOperation.LOAD, name, e);
            throw e;
        }
    }

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        String db = db(name);
        long start = System.nanoTime();
        CountingInput counted = new CountingInput(data);
        try {
            storage.write(name, counted, size);
        } catch (IOException | RuntimeException e) {
            listener.storageFailed(db, StorageOperation.STORE, name, e);
            throw e;
        }
        listener.storageStored(db, name, counted.count, System.nanoTime() - start);
    }

    @Override
    public void delete(String name) throws IOException {
        storage.delete(name);
    }

    private static String db(String name) {
        return SnapshotName.parse(name).map(SnapshotName::database).orElse("");
    }

    private static class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            } else {
                ended();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            } else if (n < 0) {
                ended();
            }
            return n;
        }

        void ended() {
        }
    }

    /** A download: reported loaded at its end, failed when reading it fails. */
    private final class ObservedInput extends CountingInput {
        private final String db;
        private final String name;
        private final long start;
        private boolean reported;

        ObservedInput(InputStream in, String db, String name, long start) {
            super(in);
            this.db = db;
            this.name = name;
            this.start = start;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                failed(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                failed(e);
                throw e;
            }
        }

        @Override
        void ended() {
            if (!reported) {
                reported = true;
                listener.storageLoaded(db, name, count, System.nanoTime() - start);
            }
        }

        private void failed(Exception e) {
            if (!reported) {
                reported = true;
                listener.storageFailed(db, StorageOperation.LOAD, name, e);
            }
        }
    }
}
