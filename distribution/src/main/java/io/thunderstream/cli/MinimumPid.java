package io.thunderstream.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --minimum-pid}, as in Lightning Stream. LMDB tells the processes that use an environment
 * apart by their process ids (it locks the byte at offset pid of the lock file), so two containers
 * that share an LMDB and run their processes under the same PID in their own PID namespaces (both
 * PID 1, say) clash: the second one's read transactions fail. Below the minimum, this process
 * starts short-lived processes until the kernel's next PID is past it, then runs the same command
 * line again as its child, and ends with the child's exit code.
 */
final class MinimumPid {

    /** Lightning Stream's upper limit for {@code --minimum-pid}. */
    static final int LIMIT = 200;
    /** Set in the child's environment: it runs the command whatever its PID. */
    static final String CHILD_ENV = "THUNDERSTREAM_NO_PID_CHECK";

    private static final Logger log = LoggerFactory.getLogger(MinimumPid.class);

    private MinimumPid() {
    }

    /**
     * Runs this command line again in a child with a PID of at least {@code minimum} when this
     * process's is lower; its exit code, or empty when this process is to go on itself.
     */
    static OptionalInt ensure(int minimum) throws IOException, InterruptedException {
        if (minimum <= 0) {
            return OptionalInt.empty();
        }
        if (minimum > LIMIT) {
            log.warn("--minimum-pid {} lowered to the limit, {}", minimum, LIMIT);
            minimum = LIMIT;
        }
        long pid = ProcessHandle.current().pid();
        if (pid >= minimum) {
            log.debug("pid {} satisfies --minimum-pid {}", pid, minimum);
            return OptionalInt.empty();
        }
        if (System.getenv(CHILD_ENV) != null) {
            log.warn("pid {} is below --minimum-pid {}, but {} asks to go on", pid, minimum, CHILD_ENV);
            return OptionalInt.empty();
        }
        log.info("pid {} is below --minimum-pid {}: starting {} processes to move the next PID past it, then this"
                + " command again as a child", pid, minimum, minimum - pid);
        for (long i = pid; i < minimum; i++) {
            try {
                // Each start takes a PID, even when what it starts cannot run.
                new ProcessBuilder("/nonexistent").start().waitFor();
            } catch (IOException e) {
                // the expected outcome
            }
        }
        ProcessBuilder again = new ProcessBuilder(commandLine()).inheritIO();
        again.environment().put(CHILD_ENV, "1");
        Process child = again.start();
        log.info("running as child pid {}", child.pid());
        // SIGTERM and Ctrl-C reach this process: pass them on, and wait for the child's clean stop.
        Thread forward = new Thread(() -> stop(child), "stop-child");
        Runtime.getRuntime().addShutdownHook(forward);
        int exitCode = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(forward);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs
        }
        return OptionalInt.of(exitCode);
    }

    private static void stop(Process child) {
        child.destroy();
        try {
            if (!child.waitFor(1, TimeUnit.MINUTES)) {
                log.warn("child pid {} still runs 1 minute after SIGTERM: killing it", child.pid());
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
        }
    }

    /** This JVM's own command line: the java binary, its options, the main class and the arguments. */
    private static List<String> commandLine() throws IOException {
        ProcessHandle.Info self = ProcessHandle.current().info();
        if (self.command().isEmpty() || self.arguments().isEmpty()) {
            throw new IOException("--minimum-pid: this system does not tell a process its own command line");
        }
        List<String> command = new ArrayList<>();
        command.add(self.command().get());
        command.addAll(List.of(self.arguments().get()));
        return command;
    }
}
