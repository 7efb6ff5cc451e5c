package io.braid.cli;

import io.braid.ledger.Ledger;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option of the commands that work on a local (embedded) ledger, shared with picocli's
 * {@code @Mixin}, and the one way those commands open that ledger.
 */
final class LedgerOptions {
    @Option(names = "--data", defaultValue = "data", description = "data directory (default: ./${DEFAULT-VALUE})")
    Path data;

    /** Opens the embedded ledger of {@code --data} ({@code DATA/ledger} or {@code DATA} itself, see {@link LedgerDirs#resolve}). */
    Ledger open() {
        return Ledger.openEmbedded(LedgerDirs.resolve(data));
    }
}
