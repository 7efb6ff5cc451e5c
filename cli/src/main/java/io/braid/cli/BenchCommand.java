package io.braid.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code braid bench}: the benchmark harness; each benchmark is a subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: tokens/s of the engine (and, as they land, of the network and the ledger).",
        subcommands = {BenchEngineCommand.class, BenchNetworkCommand.class, BenchLedgerCommand.class, BenchTrainCommand.class, BenchProofCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
