package io.thunderstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged {@code bin/thunderstream} of target/thunderstream, as a user would. */
class LauncherIT {

    @TempDir
    Path dir;

    static Path distribution() {
        Path dist = Path.of(System.getProperty("thunderstream.dist.dir", "target/thunderstream"));
        assertThat(dist.resolve("bin/thunderstream")).as("packaged distribution (mvn package)").isExecutable();
        return dist;
    }

    record Result(int exitCode, String out, String err) {
    }

    static Result run(Path launcher, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("thunderstream-out", ".txt");
        Path err = Files.createTempFile("thunderstream-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            assertThat(exited).as("thunderstream exits within 60 s").isTrue();
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    @Test
    void helpAndVersionRun() throws Exception {
        Path launcher = distribution().resolve("bin/thunderstream");
        Result help = run(launcher, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: thunderstream").contains("version");

        Result version = run(launcher, "version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).containsPattern("thunderstream \\d+\\.\\d+").contains("fs ").contains("memory");

        assertThat(run(launcher, "no-such-command").exitCode()).isEqualTo(2);
    }

    @Test
    void theReadmesDemoSyncsAWriteFromOneInstanceToTheOther() throws Exception {
        Path workDir = Files.createDirectory(dir.resolve("work"));
        try (ThunderstreamProcess demo = ThunderstreamProcess.startTyped(workDir, "thunderstream demo")) {
            assertThat(demo.awaitExit(Duration.ofSeconds(90))).as(demo.output()).isZero();
            Matcher written = Pattern.compile("demo-a: the application writes (\\S+) = 192\\.0\\.2\\.3").matcher(demo.output());
            assertThat(written.find()).as(demo.output()).isTrue();
            assertThat(demo.output()).contains("demo-b: received " + written.group(1) + " = 192.0.2.3")
                    .containsPattern("  main__demo-a__\\d{8}-\\d{6}-\\d{9}__\\w+\\.pb\\.gz");
        }
        try (var files = Files.list(workDir.resolve("thunderstream-demo/bucket"))) {
            assertThat(files.map(file -> file.getFileName().toString())).anyMatch(name -> name.startsWith("main__demo-a__"));
        }
    }

    @Test
    void theTreeCanBeMovedAndFindsPluginsBesideItself() throws Exception {
        Path moved = dir.resolve("elsewhere/thunderstream");
        copyTree(distribution(), moved);
        PluginJar.build(dir.resolve("build"), moved.resolve("plugins/acme-backend.jar"));
        Path link = Files.createSymbolicLink(dir.resolve("ts"), moved.resolve("bin/thunderstream"));

        Result version = run(link, "version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).containsPattern("acme\\s+schemes acme\\s+from acme-backend.jar");
    }

    @Test
    void nativeLibrariesAreLoadedFromTheTreeNotCopiedToATempDirectory() throws Exception {
        Path config = Files.writeString(dir.resolve("thunderstream.yaml"), ThunderstreamProcess.config("a", dir.resolve("lmdb"),
                "storage: {type: fs, options: {root_path: " + dir.resolve("bucket") + "}}"));
        Path workDir = Files.createDirectory(dir.resolve("work"));
        Path nativeDir = distribution().resolve("lib/native").toAbsolutePath();
        // On their own, lmdbjava and jffi copy their libraries into java.io.tmpdir (jffi, failing
        // that, into the working directory) and load them from there, which a noexec /tmp refuses.
        // A temp directory that does not exist shows that it is not used.
        try (ThunderstreamProcess sync = ThunderstreamProcess.startTyped(workDir,
                "JAVA_OPTS=-Djava.io.tmpdir=" + dir.resolve("no-such-dir") + " thunderstream -c " + config + " sync")) {
            sync.awaitLine(line -> line.contains("first pass done"), Duration.ofSeconds(60));
            List<String> libraries;
            try (var maps = Files.lines(Path.of("/proc", Long.toString(sync.handle().pid()), "maps"))) {
                // each line ends in the mapped file's path, with " (deleted)" after it once unlinked
                libraries = maps.filter(line -> line.contains("/")).map(line -> line.substring(line.indexOf('/')))
                        .filter(file -> file.contains(".so")).distinct().toList();
            }
            assertThat(libraries).as("native libraries mapped").allMatch(file -> file.startsWith(nativeDir.toString())
                    || file.startsWith("/usr/") || file.startsWith("/lib"))
                    .anyMatch(file -> file.startsWith(nativeDir.resolve("jffi").toString()))
                    .anyMatch(file -> file.startsWith(nativeDir.toString()) && !file.startsWith(nativeDir.resolve("jffi").toString()));
        }

        // JAVA_OPTS may pick another LMDB library; one that does not load is named
        Path missing = dir.resolve("missing.so");
        try (ThunderstreamProcess sync = ThunderstreamProcess.startWithJavaOpts("-Dlmdbjava.native.lib=" + missing,
                "-c", config.toString(), "sync", "--only-once")) {
            assertThat(sync.awaitExit(Duration.ofSeconds(60))).as(sync.output()).isEqualTo(1);
            assertThat(sync.output()).contains("lmdb main: cannot load the native libraries of lmdbjava (")
                    .contains("-Dlmdbjava.native.lib names " + missing).doesNotContain("Exception in thread");
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
