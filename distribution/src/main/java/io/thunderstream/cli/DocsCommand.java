package io.thunderstream.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Spec;

/**
 * {@code thunderstream docs}: markdown for every command and its own options, as Lightning
 * Stream's {@code docs} prints; {@code docs/commands.md} is its output, kept so by a test.
 */
@Command(name = "docs", mixinStandardHelpOptions = true,
        description = "Print markdown documentation of every command and its options (docs/commands.md is this output).")
final class DocsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(markdown(spec.root().commandLine()));
        out.flush();
        return 0;
    }

    static String markdown(CommandLine root) {
        StringBuilder md = new StringBuilder("# Commands\n\n<!-- The output of `thunderstream docs`: change the commands, then"
                + " run `bin/thunderstream docs > docs/commands.md` (DocsCommandTest checks it). -->\n\n"
                + "The options of `thunderstream` itself apply to every command and may stand before or after it.\n");
        append(md, root);
        return md.toString();
    }

    private static void append(StringBuilder md, CommandLine cli) {
        CommandSpec command = cli.getCommandSpec();
        if (command.userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        md.append("\n## `").append(command.qualifiedName()).append("`\n\n");
        for (String line : command.usageMessage().description()) {
            md.append(line).append('\n');
        }
        StringBuilder rows = new StringBuilder();
        for (PositionalParamSpec parameter : command.positionalParameters()) {
            rows.append(row(parameter.paramLabel(), parameter));
        }
        for (OptionSpec option : command.options()) {
            if (!option.inherited() && !option.usageHelp() && !option.versionHelp()) {
                String names = String.join(", ", option.names());
                rows.append(row(option.arity().max() == 0 ? names : names + " " + option.paramLabel(), option));
            }
        }
        if (!rows.isEmpty()) {
            md.append("\n| argument | meaning |\n|---|---|\n").append(rows);
        }
        cli.getSubcommands().values().stream().distinct().forEach(sub -> append(md, sub));
    }

    private static String row(String argument, ArgSpec arg) {
        String meaning = String.join(" ", arg.description()).replace("|", "\\|");
        return "| `" + argument.replace("|", "\\|") + "` | " + meaning + (arg.required() ? " Required." : "") + " |\n";
    }
}
