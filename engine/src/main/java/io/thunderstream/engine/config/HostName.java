package io.thunderstream.engine.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This host's name, the default instance name. Read like Go's {@code os.Hostname} (the kernel's
 * name, no DNS lookup), so that LS and Thunderstream on one host default to the same instance.
 */
final class HostName {

    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private HostName() {
    }

    /** The host name, or the empty string when it cannot be found out. */
    static String get() {
        try {
            if (Files.isReadable(KERNEL_HOSTNAME)) {
                String name = Files.readString(KERNEL_HOSTNAME).trim();
                if (!name.isEmpty()) {
                    return name;
                }
            }
        } catch (IOException e) {
            // fall back to the JDK's view below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "";
        }
    }
}
