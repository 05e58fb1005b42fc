package io.thunderstream.engine.config;

import java.util.List;

/**
 * The configuration is wrong. Every problem found is listed, each starting with the YAML path it
 * is about ({@code lmdbs.main.options.map_size: invalid size "12QB"; ...}), so that one run shows
 * every mistake in a config file. The command line maps this exception to exit code 2.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(null, List.of(problem));
    }

    public ConfigException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** The problems, one line each, each starting with the YAML path it is about. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        String where = source == null ? "config" : "config " + source;
        if (problems.size() == 1) {
            return where + ": " + problems.get(0);
        }
        StringBuilder out = new StringBuilder(where).append(": ").append(problems.size()).append(" problems:");
        problems.forEach(p -> out.append("\n  ").append(p));
        return out.toString();
    }
}
