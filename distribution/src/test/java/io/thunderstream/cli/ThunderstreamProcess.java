package io.thunderstream.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A running {@code bin/thunderstream}, its output collected line by line, killable with SIGKILL. */
final class ThunderstreamProcess implements AutoCloseable {

    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> drains = new ArrayList<>();

    private ThunderstreamProcess(Process process) {
        this.process = process;
        drain(process.getInputStream(), "stdout");
        drain(process.getErrorStream(), "stderr");
    }

    static ThunderstreamProcess start(String... args) throws IOException {
        return startWithJavaOpts("", args);
    }

    /** Starts {@code bin/thunderstream} with {@code javaOpts} in {@code JAVA_OPTS}. */
    static ThunderstreamProcess startWithJavaOpts(String javaOpts, String... args) throws IOException {
        return start(List.of(), javaOpts, args);
    }

    /** Starts {@code bin/thunderstream} through a command such as {@code unshare ...}. */
    static ThunderstreamProcess startUnder(List<String> prefix, String... args) throws IOException {
        return start(prefix, "", args);
    }

    /** Runs {@code commandLine} as a user types it into a shell in {@code workDir}, with {@code bin/} on the PATH. */
    static ThunderstreamProcess startTyped(Path workDir, String commandLine) throws IOException {
        // env: the line may begin with VAR=value assignments; exec: the process is thunderstream, not sh
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "exec env " + commandLine).directory(workDir.toFile());
        builder.environment().put("PATH", LauncherIT.distribution().resolve("bin").toAbsolutePath() + ":"
                + System.getenv("PATH"));
        return new ThunderstreamProcess(builder.start());
    }

    private static ThunderstreamProcess start(List<String> prefix, String javaOpts, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(LauncherIT.distribution().resolve("bin/thunderstream").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (!javaOpts.isEmpty()) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        return new ThunderstreamProcess(builder.start());
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    private void drain(InputStream in, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "thunderstream-" + name);
        t.setDaemon(true);
        t.start();
        drains.add(t);
    }

    /** Waits for an output line matching {@code match}; fails when the process exits or time runs out first. */
    String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        return awaitLines(match, 1, timeout);
    }

    /** Waits for {@code count} output lines matching {@code match}; the last of them. */
    String awaitLines(Predicate<String> match, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (lines) {
                int found = 0;
                for (String line : lines) {
                    if (match.test(line) && ++found == count) {
                        return line;
                    }
                }
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no such line from thunderstream (" + (process.isAlive() ? "timed out" : "exited "
                        + process.exitValue()) + "); output:\n" + output());
            }
            Thread.sleep(2);
        }
    }

    /** SIGKILL: no shutdown hook, no finally block runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("thunderstream did not die");
        }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("thunderstream did not exit within " + timeout.toSeconds() + " s; output:\n" + output());
        }
        for (Thread drain : drains) {
            drain.join(10_000); // its last lines, for output()
        }
        return process.exitValue();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    static String config(String instance, Path lmdb, String storage) {
        return """
                instance: %s
                lmdbs:
                  main:
                    path: %s
                    schema_tracks_changes: true
                    options:
                      create: true
                      map_size: 512MB
                %s
                lmdb_poll_interval: 100ms
                storage_poll_interval: 100ms
                storage_retry_interval: 100ms
                """.formatted(instance, lmdb, storage);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
