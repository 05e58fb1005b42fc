package io.thunderstream.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds, at test time, a one-class backend plugin jar like the one a company would write. */
final class PluginJar {

    static final String CLASS_NAME = "com.example.acme.AcmeBackendProvider";

    private PluginJar() {
    }

    /** Writes {@code jar}: a provider of type {@code acme} and URL scheme {@code acme} whose backend is a memory map. */
    static Path build(Path work, Path jar) throws IOException {
        Path src = work.resolve("src/com/example/acme/AcmeBackendProvider.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
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
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, System.err, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), src.toString());
        if (rc != 0) {
            throw new IllegalStateException("javac failed with " + rc);
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path file : List.of(Path.of("com/example/acme/AcmeBackendProvider.class"),
                    Path.of("com/example/acme/AcmeBackendProvider$1.class"))) {
                out.putNextEntry(new JarEntry(file.toString()));
                Files.copy(classes.resolve(file), out);
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.thunderstream.api.StorageBackendProvider"));
            OutputStream services = out;
            services.write((CLASS_NAME + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }
}
