package io.thunderstream.backend.fs;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/** Blobs in this process's memory: for tests and for embedding applications. */
final class MemoryBackend implements StorageBackend {

    private record Blob(byte[] data, Instant written) {
    }

    private final String name;
    private final ConcurrentSkipListMap<String, Blob> blobs = new ConcurrentSkipListMap<>();

    MemoryBackend(String name) {
        this.name = name;
    }

    @Override
    public List<BlobInfo> list(String prefix) {
        BlobNames.checkPrefix(prefix);
        List<BlobInfo> out = new ArrayList<>();
        for (Map.Entry<String, Blob> e : blobs.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(new BlobInfo(e.getKey(), e.getValue().data().length, e.getValue().written()));
        }
        return out;
    }

    @Override
    public InputStream read(String blob) throws IOException {
        Blob b = blobs.get(BlobNames.check(blob));
        if (b == null) {
            throw new BlobNotFoundException(blob);
        }
        return new ByteArrayInputStream(b.data());
    }

    @Override
    public void write(String blob, InputStream data, long size) throws IOException {
        BlobNames.check(blob);
        byte[] bytes = data.readAllBytes();
        if (size >= 0 && bytes.length != size) {
            throw new StorageException("memory: blob " + blob + ": expected " + size + " bytes, the source gave " + bytes.length);
        }
        blobs.put(blob, new Blob(bytes, Instant.now()));
    }

    @Override
    public void delete(String blob) {
        blobs.remove(BlobNames.check(blob));
    }

    @Override
    public String toString() {
        return "memory:" + name;
    }
}
