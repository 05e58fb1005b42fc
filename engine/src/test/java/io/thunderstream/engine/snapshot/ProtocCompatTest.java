package io.thunderstream.engine.snapshot;

import io.thunderstream.engine.testing.Prerequisite;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our encoding checked by an independent protobuf implementation: {@code protoc --decode}
 * against shared/testdata/lightningstream-snapshot.proto. Skips without protoc, except on CI
 * ({@code CI=true}) where protoc (Debian package protobuf-compiler) is required.
 */
class ProtocCompatTest {
    private static final String MESSAGE = "lightningstream.compat.Snapshot";

    @BeforeAll
    static void needsProtoc() {
        boolean present;
        try {
            Process p = new ProcessBuilder("protoc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            present = false;
        }
        Prerequisite.require(present, "protoc not found: apt-get install -y protobuf-compiler to run the protoc compatibility tests");
    }

    private static byte[] protoc(String mode, byte[] input) throws IOException, InterruptedException {
        Path testdata = SharedTestData.dir();
        Path in = Files.createTempFile("ts-protoc", ".in");
        Path err = Files.createTempFile("ts-protoc", ".err");
        try {
            Files.write(in, input);
            Process p = new ProcessBuilder("protoc", "--" + mode + "=" + MESSAGE, "--proto_path=" + testdata,
                    testdata.resolve("lightningstream-snapshot.proto").toString())
                    .redirectInput(in.toFile()).redirectError(err.toFile()).start();
            byte[] out;
            try (InputStream stdout = p.getInputStream()) {
                out = stdout.readAllBytes();
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("protoc --" + mode + ": " + Files.readString(err)).isZero();
            return out;
        } finally {
            Files.delete(in);
            Files.delete(err);
        }
    }

    @Test
    void protocDecodesOurEncoding() throws Exception {
        List<TestSnapshots.Dbi> dbis = SnapshotCodecTest.randomDbis(new Random(77));
        SnapshotMeta meta = new SnapshotMeta("GX", "node-x", "host-x", 12, 1704164645123456789L, "main", 3);
        byte[] pb = TestSnapshots.encode(meta, dbis);
        String text = new String(protoc("decode", pb), StandardCharsets.UTF_8);
        assertThat(text).startsWith("formatVersion: 3\n").contains("compatVersion: 1\n")
                .contains("lmdbTxnID: 12").contains("timestampNano: 1704164645123456789").contains("fromLmdbTxnID: 3");
        long entries = dbis.stream().mapToLong(d -> d.entries().size()).sum();
        assertThat(count(text, "^  entries \\{$")).isEqualTo(entries);
        assertThat(count(text, "^databases \\{$")).isEqualTo(dbis.size());
        long deleted = dbis.stream().flatMap(d -> d.entries().stream()).filter(e -> (e.flags() & 1) != 0).count();
        assertThat(count(text, "^    flags: 1$")).isEqualTo(deleted);
        // protoc re-encodes in field-number order; our decoder must read that back to the same data
        TestSnapshots.Snapshot back = TestSnapshots.decodeProtobuf(protoc("encode", protoc("decode", pb)));
        assertThat(back.dbis()).isEqualTo(SnapshotCodecTest.masked(dbis));
        assertThat(back.meta()).isEqualTo(meta);
    }

    /**
     * The v3 vectors were written in protobuf field-number order, not LS's order, so our bytes
     * differ from theirs in order only: canonicalised by protoc they are identical.
     */
    @ParameterizedTest
    @ValueSource(strings = {"v3-basic", "v3-basic-multimember", "v3-dupsort-hack", "v3-empty-dbi", "v3-from-txn"})
    void reencodedVectorsDifferOnlyInFieldOrder(String vector) throws Exception {
        Path gz = SharedTestData.dir().resolve("snapshots/" + vector + ".pb.gz");
        byte[] original = TestSnapshots.gunzip(Files.readAllBytes(gz));
        TestSnapshots.Snapshot s = TestSnapshots.decodeProtobuf(original);
        byte[] ours = TestSnapshots.encode(s.meta(), s.dbis());
        assertThat(ours).hasSameSizeAs(original);
        byte[] canonical = protoc("encode", protoc("decode", ours));
        assertThat(canonical).isEqualTo(original);
    }

    private static long count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
