package io.thunderstream.cli;

import io.thunderstream.api.StorageBackendProvider;
import io.thunderstream.api.StorageBackends;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thunderstream version}: the version, the Java runtime, and the installed storage backends. */
@Command(name = "version", description = "Print the version and the installed storage backends.")
final class VersionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        out.println("thunderstream " + version());
        out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        out.println("storage backends:");
        StorageBackends backends = Plugins.discover(Plugins.defaultDirectory());
        for (StorageBackendProvider p : backends.providers()) {
            out.printf("  %-8s schemes %-16s %s%n", p.type(), String.join(",", new TreeSet<>(p.schemes())), origin(p));
        }
        out.flush();
    }

    private static String origin(StorageBackendProvider p) {
        var source = p.getClass().getProtectionDomain().getCodeSource();
        return source == null ? "" : "from " + source.getLocation().getPath().replaceFirst(".*/", "");
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"thunderstream " + version()};
        }
    }
}
