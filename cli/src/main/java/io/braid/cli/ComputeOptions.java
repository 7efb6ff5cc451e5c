package io.braid.cli;

import io.braid.tensor.Compute;
import picocli.CommandLine.Option;

/** The {@code --threads} and {@code --mode} options of the commands that run the engine in this process (a picocli mixin). */
final class ComputeOptions {

    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--mode", defaultValue = "deterministic", description = "deterministic | fast (default: ${DEFAULT-VALUE})")
    String mode;

    /** The kernel mode asked for; IllegalArgumentException names the accepted values. */
    Compute.Mode mode() {
        return EngineOptions.mode(mode);
    }

    /** The thread count asked for, or all cores; IllegalArgumentException when out of range. */
    int threads() {
        return EngineOptions.threads(threads);
    }
}
