package io.thunderstream.cli;

import io.thunderstream.api.ConfigValues;
import io.thunderstream.api.FileErrors;
import io.thunderstream.api.StorageBackend;
import io.thunderstream.api.StorageConfigException;
import io.thunderstream.api.StorageException;
import io.thunderstream.engine.config.ConfigException;
import io.thunderstream.engine.config.LogConfig;
import io.thunderstream.engine.config.ThunderstreamConfig;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code thunderstream} command: global options, and the subcommands that do the work.
 *
 * <p>Exit codes: 0 done; 1 failed (storage, LMDB, a bad snapshot); 2 invalid command line or
 * config; 75 {@code --timeout} reached. Errors are one line on stderr; {@code --log-level debug}
 * adds the stack trace. The options are Lightning Stream's, so that its command lines work unchanged.
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
                ExperimentalCommand.class,
                DemoCommand.class,
                DocsCommand.class,
                VersionCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class ThunderstreamCommand implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ThunderstreamCommand.class);

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    /** EX_TEMPFAIL of sysexits.h, as Lightning Stream uses for {@code --timeout}. */
    static final int EXIT_TIMEOUT = 75;
    /** How long a command stopped by {@code --timeout} may take to stop cleanly (LS's too). */
    private static final Duration TIMEOUT_GRACE = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "lightningstream.yaml",
            description = "Config file (Lightning Stream YAML). Default: ${DEFAULT-VALUE}.")
    Path configFile;

    @Option(names = {"-i", "--instance"}, scope = ScopeType.INHERIT, paramLabel = "NAME", converter = InstanceName.class,
            description = "This instance's name in snapshot names (default: the config's instance, else the host name).")
    String instance;

    @Option(names = "--log-config", scope = ScopeType.INHERIT, description = "Log the effective config, secrets masked.")
    boolean logConfig;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", converter = LogLevel.class,
            description = "debug, info, warning or error (overrides log.level).")
    LogConfig.Level logLevel;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "FORMAT", converter = LogFormat.class,
            description = "human, logfmt or json (overrides log.format).")
    LogConfig.Format logFormat;

    @Option(names = "--log-timestamp", scope = ScopeType.INHERIT, paramLabel = "STYLE", converter = LogTimestamp.class,
            description = "short, full or disable (overrides log.timestamp).")
    LogConfig.Timestamp logTimestamp;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Log at debug level (overrides --log-level).")
    boolean debug;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", converter = GoDuration.class,
            description = "Stop the command after this long (30s, 5m, 1h30m), as SIGTERM does, and exit with 75.")
    Duration timeout;

    @Option(names = "--minimum-pid", scope = ScopeType.INHERIT, paramLabel = "PID",
            description = "When this process's PID is lower (at most " + MinimumPid.LIMIT + "), take PIDs until the next is"
                    + " not, and run the command as a child with it: for containers that share an LMDB, whose"
                    + " processes LMDB tells apart by PID.")
    int minimumPid;

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
            // An empty -i is not given, as in LS: a command line's -i "$INSTANCE" with the variable unset.
            if (instance != null && !instance.isEmpty()) {
                loaded = loaded.withInstance(instance);
            }
            LogConfig logging = loaded.log();
            if (logLevel != null) {
                logging = logging.withLevel(logLevel);
            }
            if (debug) {
                logging = logging.withLevel(LogConfig.Level.DEBUG);
            }
            if (logFormat != null) {
                logging = logging.withFormat(logFormat);
            }
            if (logTimestamp != null) {
                logging = logging.withTimestamp(logTimestamp);
            }
            config = loaded.withLog(logging);
            Logging.apply(config.log());
            if (logConfig) {
                log.info("effective config ({}):\n{}", configFile,
                        config.toMaskedYaml());
            }
        }
        return config;
    }

    /**
     * {@code config} with only the LMDBs {@code names}, chosen on the command line with
     * {@code option}; a name the config does not have is a command-line error naming the option.
     */
    static ThunderstreamConfig onlyLmdbs(CommandLine.Model.CommandSpec spec, ThunderstreamConfig config, String option,
            List<String> names) {
        for (String name : names) {
            if (!config.lmdbs().containsKey(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " " + name
                        + ": no LMDB of that name in the config (LMDBs: " + String.join(", ", config.lmdbs().keySet()) + ")");
            }
        }
        return config.withOnlyLmdbs(names);
    }

    /** Opens the configured storage backend, built in or from {@code plugins/}. */
    StorageBackend openStorage(ThunderstreamConfig config) throws StorageException {
        return Plugins.discover(Plugins.defaultDirectory()).open(config.storage().backend());
    }

    /** {@code --timeout}: when it is reached, exit as on SIGTERM (the shutdown hooks stop cleanly), or after a grace regardless. */
    private void startTimeout() {
        if (timeout == null || timeout.isZero()) {
            return;
        }
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            log.warn("--timeout {} reached: stopping",
                    ConfigValues.formatDuration(timeout));
            Thread force = new Thread(() -> {
                try {
                    Thread.sleep(TIMEOUT_GRACE.toMillis());
                } catch (InterruptedException e) {
                    // halt now
                }
                log.error("not stopped {} after --timeout: exiting",
                        ConfigValues.formatDuration(TIMEOUT_GRACE));
                Runtime.getRuntime().halt(EXIT_TIMEOUT);
            }, "timeout-grace");
            force.setDaemon(true);
            force.start();
            System.exit(EXIT_TIMEOUT);
        }, "timeout");
        timer.setDaemon(true);
        timer.start();
    }

    /**
     * An option's value read as the config reads it; the parser's message follows picocli's
     * "Invalid value for option", so that the error names the option and exits with 2.
     */
    abstract static class ConfigValue<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> parse;

        ConfigValue(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Go-style durations, as the config takes them. */
    static final class GoDuration extends ConfigValue<Duration> {
        GoDuration() {
            super(ConfigValues::parseDuration);
        }
    }

    static final class InstanceName extends ConfigValue<String> {
        InstanceName() {
            super(name -> {
                if (name.isEmpty()) {
                    return name;
                }
                ThunderstreamConfig.instanceNameProblem(name).ifPresent(problem -> {
                    throw new IllegalArgumentException(problem + "; give a name, or leave -i out for the config's instance"
                            + " or the host name");
                });
                return name;
            });
        }
    }

    static final class LogLevel extends ConfigValue<LogConfig.Level> {
        LogLevel() {
            super(LogConfig.Level::parse);
        }
    }

    static final class LogFormat extends ConfigValue<LogConfig.Format> {
        LogFormat() {
            super(LogConfig.Format::parse);
        }
    }

    static final class LogTimestamp extends ConfigValue<LogConfig.Timestamp> {
        LogTimestamp() {
            super(LogConfig.Timestamp::parse);
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        ThunderstreamCommand top = new ThunderstreamCommand();
        CommandLine cli = new CommandLine(top);
        cli.setExecutionStrategy(parseResult -> {
            try {
                OptionalInt child = MinimumPid.ensure(top.minimumPid);
                if (child.isPresent()) {
                    return child.getAsInt();
                }
            } catch (IOException | InterruptedException e) {
                cli.getErr().println("thunderstream: --minimum-pid: " + e.getMessage());
                cli.getErr().flush();
                return EXIT_FAILURE;
            }
            top.startTimeout();
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean usage = e instanceof ConfigException || e instanceof StorageConfigException
                    || e instanceof CommandLine.ParameterException;
            // A file-system error's message is a bare path or the JDK's; say what is wrong with which file.
            String message = e instanceof FileSystemException || e instanceof CharacterCodingException
                    ? FileErrors.describe((IOException) e)
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            commandLine.getErr().println("thunderstream: " + message);
            if (log.isDebugEnabled()) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return usage ? EXIT_USAGE : EXIT_FAILURE;
        });
        return cli;
    }
}
