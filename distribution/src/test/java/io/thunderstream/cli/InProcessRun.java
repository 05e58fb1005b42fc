package io.thunderstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A thunderstream command line run in the test's JVM: its exit code and what it printed. */
record InProcessRun(int exitCode, String out, String err) {

    /** Runs {@code args} with {@code -c config} before them. */
    static InProcessRun withConfig(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("-c", config.toString()));
        all.addAll(List.of(args));
        return of(all.toArray(String[]::new));
    }

    static InProcessRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ThunderstreamCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new InProcessRun(code, out.toString(), err.toString());
    }
}
