package io.thunderstream.backend.gcs;

import com.google.cloud.RestorableState;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * Makes Google's in-process fake keep GCS's promise for resumable uploads: the object appears
 * when the upload is finalized (the channel closed), not before. The fake
 * ({@code LocalStorageHelper}'s FakeStorageRpc) registers an empty object as soon as a session
 * opens, which real GCS and fake-gcs-server do not.
 */
final class FinalizeOnCloseStorage {

    private FinalizeOnCloseStorage() {
    }

    static Storage wrap(Storage fake) {
        return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(), new Class<?>[] {Storage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("writer") && args != null && args.length == 2 && args[0] instanceof BlobInfo info) {
                        return new Session(fake, info);
                    }
                    try {
                        return method.invoke(fake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static final class Session implements WriteChannel {
        private final Storage fake;
        private final BlobInfo info;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean open = true;

        Session(Storage fake, BlobInfo info) {
            this.fake = fake;
            this.info = info;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            byte[] chunk = new byte[n];
            src.get(chunk);
            bytes.write(chunk);
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                fake.create(info, bytes.toByteArray());
            }
        }

        @Override
        public void setChunkSize(int chunkSize) {
        }

        @Override
        public RestorableState<WriteChannel> capture() {
            throw new UnsupportedOperationException();
        }
    }
}
