package io.thunderstream.cli;

import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Storage backends from {@code lib/} and from {@code plugins/}. Each plugin gets a class loader
 * of its own, so that two company plugins may bring different versions of a library: a plugin is
 * either one jar ({@code plugins/acme-backend.jar}) or a directory of jars
 * ({@code plugins/acme/*.jar}).
 */
final class Plugins {

    private Plugins() {
    }

    /** The plugins directory of the installation: {@code $THUNDERSTREAM_HOME/plugins}, if the launcher set the home. */
    static Path defaultDirectory() {
        String home = System.getProperty("thunderstream.home");
        return home == null ? null : Path.of(home, "plugins");
    }

    /** The backends built in and those in {@code pluginsDir} (which may be null or missing). */
    static StorageBackends discover(Path pluginsDir) {
        ClassLoader app = Plugins.class.getClassLoader();
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(app);
        for (List<URL> plugin : plugins(pluginsDir)) {
            loaders.add(new URLClassLoader(plugin.toArray(URL[]::new), app));
        }
        return StorageBackends.discover(loaders.toArray(ClassLoader[]::new));
    }

    private static List<List<URL>> plugins(Path dir) {
        List<List<URL>> plugins = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return plugins;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                if (isJar(entry)) {
                    plugins.add(List.of(url(entry)));
                } else if (Files.isDirectory(entry)) {
                    try (Stream<Path> jars = Files.list(entry)) {
                        List<URL> urls = jars.filter(Plugins::isJar).sorted().map(Plugins::url).toList();
                        if (!urls.isEmpty()) {
                            plugins.add(urls);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugins directory " + FileErrors.describe(dir, e), e);
        }
        return plugins;
    }

    private static boolean isJar(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar");
    }

    private static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
