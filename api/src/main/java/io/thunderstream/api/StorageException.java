package io.thunderstream.api;

import java.io.IOException;

/** A storage operation failed; the message names the backend, the blob or the option involved. */
public class StorageException extends IOException {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
