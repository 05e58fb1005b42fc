package io.thunderstream.engine.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every vector in shared/testdata/snapshots: NAME.pb.gz must decode to exactly NAME.json. */
class SnapshotVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> vectors() throws IOException {
        Path dir = SharedTestData.dir().resolve("snapshots");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> list = files.filter(p -> p.getFileName().toString().endsWith(".pb.gz")).sorted().toList();
            assertThat(list).as("vectors in " + dir).isNotEmpty();
            return list;
        }
    }

    static JsonNode expected(Path gz) throws IOException {
        String name = gz.getFileName().toString().replace(".pb.gz", ".json");
        return JSON.readTree(gz.resolveSibling(name).toFile());
    }

    static JsonNode dumpJson(Path gz) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SnapshotReader r = SnapshotReader.openGzip(Files.newInputStream(gz))) {
            SnapshotJson.writeJson(r, out, null);
        }
        return JSON.readTree(out.toByteArray());
    }

    @TestFactory
    Stream<DynamicTest> decodesEveryVector() throws IOException {
        return vectors().stream().map(gz -> DynamicTest.dynamicTest(gz.getFileName().toString(), () -> {
            JsonNode expected = expected(gz);
            String error = expected.path("error").asText(null);
            if (error == null) {
                assertEquals(expected, dumpJson(gz));
                return;
            }
            Class<? extends SnapshotFormatException> type = switch (error) {
                case "corrupt" -> SnapshotCorruptException.class;
                case "incompatible" -> SnapshotIncompatibleException.class;
                default -> throw new AssertionError("unknown error kind " + error);
            };
            assertThatThrownBy(() -> dumpJson(gz)).isInstanceOf(type).hasMessageContaining("offset");
        }));
    }

    /** Our encoder gives the same content; for protobuf field-number-ordered vectors see {@link ProtocCompatTest}. */
    @TestFactory
    Stream<DynamicTest> reencodesEveryReadableVector() throws IOException {
        return vectors().stream().filter(gz -> {
            try {
                return !expected(gz).has("error");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).map(gz -> DynamicTest.dynamicTest(gz.getFileName().toString(), () -> {
            TestSnapshots.Snapshot s;
            try (SnapshotReader r = SnapshotReader.openGzip(Files.newInputStream(gz))) {
                s = TestSnapshots.decode(r);
            }
            byte[] ours = TestSnapshots.encode(s.meta(), s.dbis());
            TestSnapshots.Snapshot again = TestSnapshots.decodeProtobuf(ours);
            assertThat(again.meta()).isEqualTo(s.meta());
            assertThat(again.dbis()).isEqualTo(s.dbis());
            assertThat(again.formatVersion()).isEqualTo(3);
            assertThat(again.compatVersion()).isEqualTo(1);
        }));
    }

    @Test
    void errorMessagesSayWhatAndWhere() throws IOException {
        Path dir = SharedTestData.dir().resolve("snapshots");
        assertThatThrownBy(() -> dumpJson(dir.resolve("corrupt-bad-protobuf.pb.gz")))
                .hasMessageContaining("DBI.entries").hasMessageContaining("DBI #0 \"x\"").hasMessageContaining("byte offset 8");
        assertThatThrownBy(() -> dumpJson(dir.resolve("corrupt-not-gzip.pb.gz")))
                .hasMessageContaining("not gzip").hasMessageContaining("compressed byte offset 0");
        assertThatThrownBy(() -> dumpJson(dir.resolve("corrupt-truncated.pb.gz")))
                .hasMessageContaining("stream ends");
        assertThatThrownBy(() -> dumpJson(dir.resolve("v99-incompatible.pb.gz")))
                .hasMessageContaining("compatVersion").hasMessageContaining("99");
    }

    @Test
    void vectorsAreWrittenInFieldNumberOrder() throws IOException {
        // Documents a finding: the vectors put compatVersion after the DBIs and DBI flags after the
        // entries (protobuf field order), so the reader must not expect LS's order.
        try (InputStream in = Gzip.decompress(Files.newInputStream(SharedTestData.dir().resolve("snapshots/v3-basic.pb.gz")))) {
            byte[] pb = in.readAllBytes();
            assertThat(pb[pb.length - 2]).isEqualTo((byte) 0x20); // compatVersion tag last
            assertThat(pb[pb.length - 1]).isEqualTo((byte) 1);
        }
    }
}
