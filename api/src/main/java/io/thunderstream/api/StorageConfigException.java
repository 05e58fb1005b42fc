package io.thunderstream.api;

/**
 * The storage configuration is wrong: an unknown or missing option, a value of the wrong type,
 * or no backend for the requested type or URL scheme. The message names the option.
 */
public class StorageConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public StorageConfigException(String message) {
        super(message);
    }

    public StorageConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
