package io.braid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code braid} command: one entry point for every role (generate, node, gateway, ledger, bench...). */
@Command(name = "braid", mixinStandardHelpOptions = true, version = "braid 0.1.0",
        description = "Braid: a decentralized AI cloud.",
        subcommands = {CommandLine.HelpCommand.class, GenerateCommand.class, TokenizeCommand.class, ModelCommand.class,
                GatewayCommand.class, NodeCommand.class, UpCommand.class, BenchCommand.class, TrainCommand.class,
                LedgerCommand.class, GovCommand.class, AccountCommand.class, ValidatorCommand.class})
public final class Braid implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        ParentWatch.startIfAsked(); // a child of `braid up` exits with its parent
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Braid());
    }
}
