package io.thunderstream.backend.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfig;
import io.thunderstream.api.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Behaviour beyond the contract, on Google's in-process fake. */
class GcsBackendTest {

    private Storage fake;

    @BeforeEach
    void fake() {
        fake = LocalStorageHelper.customOptions(false).getService();
    }

    private StorageBackend open(StorageConfig config) throws StorageException {
        return GcsBackend.open(GcsOptions.parse(config, Map.of()), fake);
    }

    @Test
    void resumableUploadThroughTheSdk() throws IOException {
        // The bare fake (no FinalizeOnCloseStorage): the SDK's own resumable writer, several chunks.
        byte[] data = new byte[(3 << 20) + 12345];
        new Random(1).nextBytes(data);
        try (StorageBackend b = GcsBackend.open(GcsOptions.forClient("b", "", false, 1 << 20), fake)) {
            b.write("known", new ByteArrayInputStream(data), data.length);
            b.write("unknown", new ByteArrayInputStream(data), -1);
            assertThat(b.readAllBytes("known")).isEqualTo(data);
            assertThat(b.readAllBytes("unknown")).isEqualTo(data);
            assertThat(b.list("")).extracting(BlobInfo::name, BlobInfo::size)
                    .containsExactly(tuple("known", (long) data.length), tuple("unknown", (long) data.length));
        }
    }

    @Test
    void urlAndYamlNameTheSameBlobs() throws IOException {
        try (StorageBackend byUrl = open(StorageConfig.ofUrl("gs://b/env1/pdns"));
                StorageBackend byYaml = open(StorageConfig.of("gcs", Map.of("bucket", "b", "global_prefix", "env1/pdns/")));
                StorageBackend whole = open(StorageConfig.of("gcs", Map.of("bucket", "b")))) {
            byUrl.write("main__a__x.pb.gz", new byte[] {1, 2});
            assertThat(byYaml.readAllBytes("main__a__x.pb.gz")).containsExactly(1, 2);
            assertThat(byYaml.list("")).extracting(BlobInfo::name).containsExactly("main__a__x.pb.gz");
            assertThat(whole.list("")).extracting(BlobInfo::name).containsExactly("env1/pdns/main__a__x.pb.gz");
            byYaml.delete("main__a__x.pb.gz");
            assertThat(byUrl.list("")).isEmpty();
        }
    }

    @Test
    void updateMarkerIsSharedAndNeverListed() throws IOException {
        StorageConfig config = StorageConfig.of("gcs", Map.of("bucket", "b", "use_update_marker", true));
        try (StorageBackend a = open(config); StorageBackend b = open(config);
                StorageBackend plain = open(StorageConfig.of("gcs", Map.of("bucket", "b")))) {
            assertThat(b.list("")).isEmpty();
            a.write("snap-1", new byte[] {1});
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("snap-1");
            a.write("snap-2", new byte[] {2});
            assertThat(b.list("snap-")).extracting(BlobInfo::name).containsExactly("snap-1", "snap-2");
            a.delete("snap-1");
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("snap-2");
            assertThat(new String(plain.readAllBytes(io.thunderstream.api.UpdateMarker.NAME), StandardCharsets.UTF_8))
                    .startsWith("snap-1::").endsWith(":true");
            assertThat(plain.list("")).extracting(BlobInfo::name).containsExactly("snap-2");
        }
    }

    @Test
    void moreBytesThanDeclaredLeavesNothing() throws IOException {
        try (StorageBackend b = GcsBackend.open(GcsOptions.forClient("b", "", false, 1 << 20), FinalizeOnCloseStorage.wrap(fake))) {
            assertThatThrownBy(() -> b.write("long", new ByteArrayInputStream(new byte[(3 << 20) + 5]), 2 << 20))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            assertThatThrownBy(() -> b.write("edge", new ByteArrayInputStream(new byte[(1 << 20) + 1]), 1 << 20))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            assertThatThrownBy(() -> b.write("small", new ByteArrayInputStream(new byte[10]), 5))
                    .isInstanceOf(StorageException.class).hasMessageContaining("more than the declared");
            assertThat(b.list("")).isEmpty();
            b.write("one", new ByteArrayInputStream(new byte[1 << 20]), 1 << 20);
            b.write("two", new ByteArrayInputStream(new byte[2 << 20]), -1);
            assertThat(b.list("")).extracting(BlobInfo::name, BlobInfo::size)
                    .containsExactly(tuple("one", (long) (1 << 20)), tuple("two", (long) (2 << 20)));
        }
    }

    @Test
    void foreignNamesAreNotListed() throws IOException {
        fake.create(com.google.cloud.storage.BlobInfo.newBuilder("b", "dir/").build(), new byte[0]);
        fake.create(com.google.cloud.storage.BlobInfo.newBuilder("b", ".hidden").build(), new byte[0]);
        fake.create(com.google.cloud.storage.BlobInfo.newBuilder("b", "ok").build(), new byte[] {1});
        try (StorageBackend b = open(StorageConfig.of("gcs", Map.of("bucket", "b")))) {
            assertThat(b.list("")).extracting(BlobInfo::name).containsExactly("ok");
        }
    }
}
