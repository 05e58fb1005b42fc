package io.thunderstream.api;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * File-system errors as a user reads them: the path and what is wrong with it ({@code /etc/ts.yaml:
 * permission denied}), without Java's exception names, which the JDK puts in place of a reason
 * (a {@link NoSuchFileException}'s message is the bare path).
 */
public final class FileErrors {

    private FileErrors() {
    }

    /**
     * What is wrong, in lower case: {@code no such file or directory}, {@code permission denied},
     * {@code not a directory}, {@code is a directory}, {@code not UTF-8 text} (every text file here
     * is read as UTF-8), or the operating system's own reason.
     */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        // The OS's strerror text ("Is a directory", "Read-only file system"), for a FileSystemException its reason.
        String text = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (text == null || text.isEmpty()) {
            return "input/output error";
        }
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    /** {@code <file>: <reason>} when the exception names its file, else the reason alone. */
    public static String describe(IOException e) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        return file == null ? reason(e) : file + ": " + reason(e);
    }

    /**
     * {@code <path>: <reason>} for an error in an operation on {@code path}; when the error is about
     * another file on the way (a parent directory that could not be created), that one is named
     * too: {@code <path>: <file>: <reason>}.
     */
    public static String describe(Path path, IOException e) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        return path + ": " + (file == null || file.equals(path.toString()) ? reason(e) : describe(e));
    }
}
