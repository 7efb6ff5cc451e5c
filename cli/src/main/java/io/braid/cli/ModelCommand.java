package io.braid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code braid model}: tools for model files (each subcommand is its own class, registered below). */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Model file tools: synthesize random-weight models, inspect files.",
        subcommands = {ModelSynthCommand.class, ModelInfoCommand.class})
public final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
