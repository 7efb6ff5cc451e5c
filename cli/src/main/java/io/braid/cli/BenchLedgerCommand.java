package io.braid.cli;

import io.braid.ledger.LedgerBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code braid bench ledger}: sustained metering throughput, credit latency and verify throughput of the embedded ledger. */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Benchmark metering on the embedded ledger (Raft log + block file, fsync per block): each request is an escrow hold "
                + "then a settlement crediting 1-3 nodes. Phase 1 saturates (throughput), phase 2 runs a moderate load (latency to the "
                + "node owner's credited balance); then everything is replayed with `verify`.")
public final class BenchLedgerCommand implements Callable<Integer> {
    @Option(names = "--requests", defaultValue = "200000", description = "requests in the throughput phase (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--concurrency", defaultValue = "20000", description = "requests in flight in the throughput phase (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--latency-requests", defaultValue = "10000", description = "requests in the latency phase (default: ${DEFAULT-VALUE})")
    int latencyRequests;

    @Option(names = "--latency-concurrency", defaultValue = "64", description = "requests in flight in the latency phase (default: ${DEFAULT-VALUE})")
    int latencyConcurrency;

    @Option(names = "--users", defaultValue = "100", description = "paying accounts (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--nodes", defaultValue = "10", description = "registered nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--data", description = "keep the ledger here (default: a temporary directory, deleted afterwards)")
    Path data;

    @Override
    public Integer call() {
        return LedgerDirs.guard(this::execute);
    }

    private Integer execute() throws Exception {
        LedgerBench.Report r = LedgerBench.run(new LedgerBench.Options(requests, concurrency, latencyRequests, latencyConcurrency, users, nodes, data), System.out);
        LedgerBench.print(r, System.out);
        return r.verifyOk() ? 0 : 1;
    }
}
