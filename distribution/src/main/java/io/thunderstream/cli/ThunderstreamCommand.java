package io.thunderstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code thunderstream} command: global options, and the subcommands that do the work. */
@Command(name = "thunderstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Keeps LMDB databases in sync across hosts through object storage; a peer of PowerDNS Lightning Stream.",
        subcommands = {
                VersionCommand.class,
                SnapshotsCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class ThunderstreamCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see thunderstream --help");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Exit codes (picocli's): 0 done, 1 failed, 2 invalid command line or config. */
    static CommandLine commandLine() {
        return new CommandLine(new ThunderstreamCommand());
    }
}
