package io.thunderstream.cli;

import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.StorageException;
import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LogConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code thunderstream} command: global options, and the subcommands that do the work.
 *
 * <p>Exit codes: 0 done; 1 failed (storage, LMDB, a bad snapshot); 2 invalid command line or
 * config. Errors are one line on stderr; {@code --log-level debug} adds the stack trace.
 */
@Command(name = "thunderstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Keeps LMDB databases in sync across hosts through object storage; a peer of PowerDNS Lightning Stream.",
        subcommands = {
                SyncCommand.class,
                SyncCommand.Receive.class,
                SnapshotsCommand.class,
                DumpCommand.class,
                StatsCommand.class,
                DropShadowCommand.class,
                DemoCommand.class,
                VersionCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class ThunderstreamCommand implements Runnable {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "lightningstream.yaml",
            description = "Config file (Lightning Stream YAML). Default: ${DEFAULT-VALUE}.")
    Path configFile;

    @Option(names = {"-i", "--instance"}, scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "This instance's name in snapshot names (default: the config's instance, else the host name).")
    String instance;

    @Option(names = "--log-config", scope = ScopeType.INHERIT, description = "Log the effective config, secrets masked.")
    boolean logConfig;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "debug, info, warning or error (overrides log.level).")
    String logLevel;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "human, logfmt or json (overrides log.format).")
    String logFormat;

    private ThunderstreamConfig config;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command; see thunderstream --help");
    }

    /** The top command of the command line that {@code spec} belongs to. */
    static ThunderstreamCommand of(CommandLine.Model.CommandSpec spec) {
        return (ThunderstreamCommand) spec.root().userObject();
    }

    /** The config file with the command line's overrides; logging is set up from it. */
    ThunderstreamConfig config() {
        if (config == null) {
            ThunderstreamConfig loaded = ThunderstreamConfig.load(configFile);
            if (instance != null) {
                loaded = loaded.withInstance(instance);
            }
            LogConfig log = loaded.log();
            if (logLevel != null) {
                log = log.withLevel(LogConfig.Level.parse(logLevel));
            }
            if (logFormat != null) {
                log = log.withFormat(LogConfig.Format.parse(logFormat));
            }
            config = loaded.withLog(log);
            Logging.apply(config.log());
            if (logConfig) {
                LoggerFactory.getLogger(ThunderstreamCommand.class).info("effective config ({}):\n{}", configFile,
                        config.toMaskedYaml());
            }
        }
        return config;
    }

    /** Opens the configured storage backend, built in or from {@code plugins/}. */
    StorageBackend openStorage(ThunderstreamConfig config) throws StorageException {
        return Plugins.discover(Plugins.defaultDirectory()).open(config.storage().backend());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ThunderstreamCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean usage = e instanceof ConfigException || e instanceof StorageConfigException
                    || e instanceof CommandLine.ParameterException;
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            commandLine.getErr().println("thunderstream: " + message);
            if (LoggerFactory.getLogger(ThunderstreamCommand.class).isDebugEnabled()) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return usage ? EXIT_USAGE : EXIT_FAILURE;
        });
        return cli;
    }
}
