package io.thunderstream.engine.merge;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * A thread of one merge beside the one that runs it (the writer, the upper half): what it fails
 * with becomes the merge's error, and the merge does not return while it runs, since the LMDB
 * transaction it holds must end on it.
 */
final class MergeThread {

    /** What the thread does. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private final Thread thread;
    private volatile Throwable failure;

    /**
     * Starts {@code body} on a thread of its own.
     *
     * @param afterFailure runs on the thread once its failure is known to {@link #throwIfFailed}
     */
    MergeThread(String name, Body body, Runnable afterFailure) {
        this.thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
                afterFailure.run();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the thread has not ended yet. */
    boolean running() {
        return thread.isAlive();
    }

    /** Throws what the thread failed with, if it has. */
    void throwIfFailed() throws IOException {
        Throwable t = failure;
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IOException(t);
        }
    }

    /** Waits for the thread to end, then throws what it failed with. */
    void await() throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(thread.getName() + ": interrupted while waiting for the merge's thread");
        }
        throwIfFailed();
    }

    /**
     * Waits for the thread to end however long it takes (after an error, when it was told to
     * stop), interrupting it first with {@code interrupt}; the caller's interrupt is kept.
     */
    void stop(boolean interrupt) {
        if (interrupt) {
            thread.interrupt();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
