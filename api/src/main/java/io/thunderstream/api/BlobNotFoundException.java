package io.thunderstream.api;

/** {@link StorageBackend#read} was asked for a blob that does not exist. */
public class BlobNotFoundException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final String name;

    public BlobNotFoundException(String name) {
        super("blob not found: " + name);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
