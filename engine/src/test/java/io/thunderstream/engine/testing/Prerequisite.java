package io.thunderstream.engine.testing;

import org.opentest4j.TestAbortedException;

/**
 * The one rule for tests that need something a machine may lack (a tool, root, Linux): they skip
 * with a message saying what is missing, except under {@code CI=true}, where every check must run
 * and a missing prerequisite fails the test.
 */
public final class Prerequisite {

    private Prerequisite() {
    }

    /** Skips the test unless {@code present}, saying {@code missing}; fails instead under CI=true. */
    public static void require(boolean present, String missing) {
        if (!present) {
            throw missing(missing);
        }
    }

    /** What a test throws that found its prerequisite missing: an assertion error under CI=true, else a skip. */
    public static RuntimeException missing(String what) {
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true requires it: " + what);
        }
        return new TestAbortedException(what);
    }
}
