package io.thunderstream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds, at test time, one-class backend plugin jars like the one a company would write. */
final class PluginJar {

    static final String CLASS_NAME = "com.example.acme.AcmeBackendProvider";

    private PluginJar() {
    }

    /** Writes {@code jar}: a provider of type {@code acme} and URL scheme {@code acme} whose backend is a memory map. */
    static Path build(Path work, Path jar) throws IOException {
        return build(work, jar, CLASS_NAME, """
                package com.example.acme;

                import io.thunderstream.api.*;
                import java.io.*;
                import java.util.*;
                import java.util.concurrent.ConcurrentSkipListMap;

                public final class AcmeBackendProvider implements StorageBackendProvider {
                    public String type() { return "acme"; }
                    public Set<String> schemes() { return Set.of("acme"); }
                    public StorageBackend create(StorageConfig config) {
                        Map<String, byte[]> blobs = new ConcurrentSkipListMap<>();
                        return new StorageBackend() {
                            public List<BlobInfo> list(String prefix) {
                                List<BlobInfo> out = new ArrayList<>();
                                blobs.forEach((k, v) -> { if (k.startsWith(prefix)) out.add(new BlobInfo(k, v.length)); });
                                return out;
                            }
                            public InputStream read(String name) throws IOException {
                                byte[] b = blobs.get(BlobNames.check(name));
                                if (b == null) throw new BlobNotFoundException(name);
                                return new ByteArrayInputStream(b);
                            }
                            public void write(String name, InputStream data, long size) throws IOException {
                                blobs.put(BlobNames.check(name), data.readAllBytes());
                            }
                            public void delete(String name) { blobs.remove(BlobNames.check(name)); }
                            public String toString() { return "acme:" + config.url().map(Object::toString).orElse("?"); }
                        };
                    }
                }
                """);
    }

    /**
     * Writes {@code jar}: a provider of type {@code hung} whose calls never return and ignore
     * interrupts, as calls into a hung NFS mount do.
     */
    static Path buildHung(Path work, Path jar) throws IOException {
        return build(work, jar, "com.example.hung.HungBackendProvider", """
                package com.example.hung;

                import io.thunderstream.api.*;
                import java.io.*;
                import java.util.*;

                public final class HungBackendProvider implements StorageBackendProvider {
                    public String type() { return "hung"; }
                    public Set<String> schemes() { return Set.of("hung"); }
                    public StorageBackend create(StorageConfig config) {
                        return new StorageBackend() {
                            public List<BlobInfo> list(String prefix) { return hang(); }
                            public InputStream read(String name) { return hang(); }
                            public void write(String name, InputStream data, long size) { hang(); }
                            public void delete(String name) { hang(); }
                        };
                    }

                    private static <T> T hang() {
                        while (true) {
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                // not even an interrupt ends it
                            }
                        }
                    }
                }
                """);
    }

    /** Compiles {@code source}, the provider {@code className} and its nested classes, into {@code jar} with its service file. */
    private static Path build(Path work, Path jar, String className, String source) throws IOException {
        Path src = work.resolve("src/" + className.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, System.err, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac failed with " + rc);
        }
        Files.createDirectories(jar.getParent());
        List<Path> classFiles;
        try (var files = Files.walk(classes)) {
            classFiles = files.filter(Files::isRegularFile).toList();
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path file : classFiles) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString()));
                Files.copy(file, out);
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.thunderstream.api.StorageBackendProvider"));
            out.write((className + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }
}
