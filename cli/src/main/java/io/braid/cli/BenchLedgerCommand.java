package io.braid.cli;

import io.braid.ledger.LedgerBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code braid bench ledger}: sustained metering throughput, commit latency and verify throughput of the embedded ledger. */
@Command(name = "ledger", mixinStandardHelpOptions = true,
        description = "Benchmark metering on the embedded ledger (Raft log + block file, fsync per block): each request is an escrow hold "
                + "then a settlement crediting 1-3 nodes; then replay everything with `verify`.")
public final class BenchLedgerCommand implements Callable<Integer> {
    @Option(names = "--requests", defaultValue = "200000", description = "metered requests (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--concurrency", defaultValue = "20000", description = "requests in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

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
        LedgerBench.Report r = LedgerBench.run(new LedgerBench.Options(requests, concurrency, users, nodes, data), System.out);
        System.out.printf("metering: %d settlements/s (%d ledger items/s: holds + settlements) over %d blocks%n", r.settlementsPerSecond(),
                r.itemsPerSecond(), r.blocks());
        System.out.printf("settle -> committed (node owner credited): p50 %d ms, p99 %d ms%n", r.settleP50Nanos() / 1_000_000, r.settleP99Nanos() / 1_000_000);
        System.out.printf("request (hold + settle): p50 %d ms, p99 %d ms%n", r.requestP50Nanos() / 1_000_000, r.requestP99Nanos() / 1_000_000);
        System.out.printf("verify: %d items (%d transactions) in %d ms = %d items/s; %s%n", r.verifiedItems(), r.verifiedTxs(), r.verifyNanos() / 1_000_000,
                r.verifyItemsPerSecond(), r.verifyOk() ? "OK" : "FAILED: " + r.verifyMessage());
        return r.verifyOk() ? 0 : 1;
    }
}
