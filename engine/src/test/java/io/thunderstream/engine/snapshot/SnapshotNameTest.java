package io.thunderstream.engine.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotNameTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<JsonNode> cases() throws IOException {
        List<String> lines = Files.readAllLines(SharedTestData.dir().resolve("snapshot-names.jsonl"));
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        assertThat(nodes).isNotEmpty();
        return nodes.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsesAsSpecified(JsonNode c) {
        String name = c.get("name").asText();
        Optional<SnapshotName> parsed = SnapshotName.parse(name);
        if (!c.get("valid").asBoolean()) {
            assertThat(parsed).as(c.path("why").asText()).isEmpty();
            return;
        }
        assertThat(parsed).isPresent();
        SnapshotName n = parsed.get();
        assertThat(n.database()).isEqualTo(c.get("database").asText());
        assertThat(n.instance()).isEqualTo(c.get("instance").asText());
        assertThat(n.timestamp()).isEqualTo(Instant.parse(c.get("timestamp").asText()));
        assertThat(n.generation()).isEqualTo(c.get("generation").asText());
        List<String> extras = new ArrayList<>();
        c.get("extra").forEach(e -> extras.add(e.asText()));
        assertThat(n.extras()).isEqualTo(extras);
        assertThat(n.kind()).isEqualTo(c.get("kind").asText());
        assertThat(n.toString()).isEqualTo(name);
    }

    @Test
    void buildsWriterNames() {
        SnapshotName n = SnapshotName.of("main", "dns1.example.org_x", Instant.parse("2024-01-02T03:04:05.000000007Z"));
        assertThat(n.toString()).isEqualTo("main__dns1-example-org-x__20240102-030405-000000007__GX.pb.gz");
        assertThat(SnapshotName.parse(n.toString())).contains(n);
    }

    @Test
    void instanceAndDatabasePartsAreWhatWritersMake() {
        assertThat(List.of("node-a", "dns1-example-org", "A9")).allMatch(SnapshotName::isInstance);
        assertThat(List.of("", "a b", "a/b", "a_b", "dns1.example.org")).noneMatch(SnapshotName::isInstance);
        assertThat(List.of("main", "shard-1", "pdns_main", "_x")).allMatch(SnapshotName::isDatabase);
        assertThat(List.of("", "a__b", "main_", "a b", "a/b", "pdns.main")).noneMatch(SnapshotName::isDatabase);
    }

    @Test
    void extrasAreWrittenSorted() {
        SnapshotName n = new SnapshotName("db", "i", Instant.EPOCH, "GX", List.of("X1", "Dabc"));
        assertThat(n.toString()).isEqualTo("db__i__19700101-000000-000000000__GX__Dabc__X1.pb.gz");
        assertThat(n.extra('X')).contains("1");
        assertThat(n.extra('Q')).isEmpty();
    }

    @Test
    void namesWithUnsortedExtrasAreIgnoredSinceTheyWouldPrintBackAsAnotherName() {
        assertThat(SnapshotName.parse("shard__i__20231231-235959-000000001__GX__X1__Dabc.pb.gz")).isEmpty();
        assertThat(SnapshotName.parse("shard__i__20231231-235959-000000001__GX__Dabc__X1.pb.gz")).isPresent();
    }

    @Test
    void namesSortByTime() {
        Instant t = Instant.parse("2023-12-31T23:59:59.999999999Z");
        String a = SnapshotName.of("main", "a", t).toString();
        String b = SnapshotName.of("main", "a", t.plusNanos(1)).toString();
        String c = SnapshotName.of("main", "a", t.plusSeconds(86400 * 40)).toString();
        assertThat(List.of(c, a, b).stream().sorted()).containsExactly(a, b, c);

        // Names compare as those strings do, and newer() keeps the later one.
        SnapshotName na = SnapshotName.parse(a).orElseThrow();
        SnapshotName nb = SnapshotName.parse(b).orElseThrow();
        SnapshotName nc = SnapshotName.parse(c).orElseThrow();
        assertThat(List.of(nc, na, nb).stream().sorted()).containsExactly(na, nb, nc);
        assertThat(SnapshotName.newer(na, nb)).isEqualTo(nb);
        assertThat(SnapshotName.newer(nc, nb)).isEqualTo(nc);
    }
}
