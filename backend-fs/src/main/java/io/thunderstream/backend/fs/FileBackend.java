package io.thunderstream.backend.fs;

import io.thunderstream.api.BlobInfo;
import io.thunderstream.api.BlobNames;
import io.thunderstream.api.BlobNotFoundException;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Blobs as files under a root directory, on a local disk or a shared filesystem (several
 * syncers on one host, or NFS). A blob name's {@code /} separates directories.
 *
 * <p>A write goes to a hidden temp file beside its target, is fsynced, then renamed over the
 * target atomically, so readers and listings in any process see the old or the new blob whole.
 * Hidden files (names starting with {@code .}) never show in a listing.
 */
final class FileBackend implements StorageBackend {

    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;

    FileBackend(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    @Override
    public List<BlobInfo> list(String prefix) throws IOException {
        BlobNames.checkPrefix(prefix);
        List<BlobInfo> blobs = new ArrayList<>();
        // Start below the root when the prefix names a directory, so that one db's listing does not walk the others.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return blobs;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(start) || !isHidden(dir) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !isHidden(file)) {
                    String name = nameOf(file);
                    if (name.startsWith(prefix)) {
                        blobs.add(new BlobInfo(name, attrs.size(), attrs.lastModifiedTime().toInstant()));
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // Another process deleted it while we walked: it is simply not in this listing.
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        blobs.sort(Comparator.comparing(BlobInfo::name));
        return blobs;
    }

    @Override
    public InputStream read(String name) throws IOException {
        try {
            return Files.newInputStream(pathOf(name));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(name);
        }
    }

    @Override
    public void write(String name, InputStream data, long size) throws IOException {
        Path target = pathOf(name);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                long written = data.transferTo(out);
                if (size >= 0 && written != size) {
                    throw new StorageException("fs: blob " + name + ": expected " + size + " bytes, the source gave " + written);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StorageException("fs: " + root + " does not support atomic renames; it cannot hold blobs safely", e);
            }
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(pathOf(name));
    }

    @Override
    public String toString() {
        return "fs:" + root;
    }

    private Path pathOf(String name) {
        BlobNames.check(name);
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("invalid blob name \"" + name + "\": escapes the root " + root);
        }
        return path;
    }

    private String nameOf(Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    private static boolean isHidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    /** Makes the rename durable; not every platform can open a directory, and that is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Best effort: the data file itself was already forced.
        }
    }
}
