package io.braid.ledger;

import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@code braid bench ledger}: metering through the real embedded ledger (Ratis log, block file, fsync per block).
 * Each request is an escrow hold followed by a settlement crediting 1-3 nodes. Phase 1 saturates the ledger
 * (throughput); phase 2 runs a moderate load (latency from settle() to the node owner's credited balance); then the
 * whole ledger is replayed by the {@link Verifier}.
 */
public final class LedgerBench {
    private LedgerBench() {}

    /**
     * @param requests           requests in the throughput phase
     * @param concurrency        requests in flight in the throughput phase
     * @param latencyRequests    requests in the latency phase
     * @param latencyConcurrency requests in flight in the latency phase (like concurrent gateway sessions)
     * @param users              paying accounts
     * @param nodes              registered nodes
     * @param dataDir            where to keep the ledger, or null for a temporary directory deleted afterwards
     */
    public record Options(int requests, int concurrency, int latencyRequests, int latencyConcurrency, int users, int nodes, Path dataDir) {}

    /** One metering phase: wall and process-CPU time, and latency percentiles in nanoseconds. */
    public record Phase(int requests, long blocks, long wallNanos, long cpuNanos, long settleP50, long settleP99, long requestP50, long requestP99) {
        /** Settlements (metering transactions) per second. */
        public long settlementsPerSecond() {
            return wallNanos == 0 ? 0 : requests * 1_000_000_000L / wallNanos;
        }

        /** Settlements per second of process CPU time (all threads, load generator included). */
        public long settlementsPerCpuSecond() {
            return cpuNanos == 0 ? 0 : requests * 1_000_000_000L / cpuNanos;
        }
    }

    /** Both phases and the verify replay. */
    public record Report(Phase throughput, Phase latency, long verifyNanos, long verifiedTxs, long verifiedItems, boolean verifyOk, String verifyMessage) {
        public long verifyItemsPerSecond() {
            return verifyNanos == 0 ? 0 : verifiedItems * 1_000_000_000L / verifyNanos;
        }
    }

    public static Report run(Options o, PrintStream log) throws IOException {
        Path dir = o.dataDir() != null ? o.dataDir() : Files.createTempDirectory("braid-ledger-bench");
        Phase tp;
        Phase lat;
        try (Ledger ledger = Ledger.openEmbedded(dir); Billing billing = new Billing(ledger)) {
            List<PublicKey> users = new ArrayList<>();
            List<CompletableFuture<TxResult>> setup = new ArrayList<>();
            for (int i = 0; i < o.users(); i++) {
                Billing.NewAccount a = billing.createAccount();
                users.add(a.account());
                setup.add(billing.submitAsOperator(new Body.Mint(a.account(), 1_000_000_000_000L)));
            }
            List<PublicKey> nodes = new ArrayList<>();
            for (int i = 0; i < o.nodes(); i++) {
                Identity owner = Identity.generate();
                Identity node = Identity.generate();
                billing.faucet(owner.publicKey(), 1_000_000_000L);
                billing.registerNode(owner, node, 100_000_000L);
                nodes.add(node.publicKey());
            }
            setup.forEach(CompletableFuture::join);
            log.printf("ledger bench: %d users, %d nodes, data %s%n", o.users(), o.nodes(), dir);
            tp = meter(ledger, billing, users, nodes, o.requests(), o.concurrency(), 0);
            log.printf("throughput phase: %d requests, %d in flight: %d ms over %d blocks%n", tp.requests(), o.concurrency(), tp.wallNanos() / 1_000_000, tp.blocks());
            lat = meter(ledger, billing, users, nodes, o.latencyRequests(), o.latencyConcurrency(), o.requests());
            log.printf("latency phase: %d requests, %d in flight: %d ms over %d blocks%n", lat.requests(), o.latencyConcurrency(), lat.wallNanos() / 1_000_000, lat.blocks());
        }
        long v0 = System.nanoTime();
        Verifier.Report v = Verifier.verify(dir);
        long vn = System.nanoTime() - v0;
        long items = 0;
        try (BlockStore bs = BlockStore.openForRead(dir.resolve("blocks.dat"))) {
            for (long h = 1; h <= bs.count(); h++) {
                for (Transaction t : bs.read(h).txs()) {
                    items += switch (t.body()) {
                        case Body.EscrowHold x -> x.holds().size();
                        case Body.EscrowCharge x -> x.settlements().size();
                        case Body.EscrowRelease x -> x.holdIds().size();
                        default -> 1;
                    };
                }
            }
        }
        if (o.dataDir() == null) deleteTree(dir);
        return new Report(tp, lat, vn, v.txs(), items, v.ok(), v.message());
    }

    private static Phase meter(Ledger ledger, Billing billing, List<PublicKey> users, List<PublicKey> nodes, int n, int concurrency, int seed) {
        long[] settleLat = new long[n];
        long[] reqLat = new long[n];
        Semaphore window = new Semaphore(concurrency);
        AtomicInteger failures = new AtomicInteger();
        List<String> firstError = new ArrayList<>();
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        long startHeight = ledger.height();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int r = 0; r < n; r++) {
            window.acquireUninterruptibly();
            final int idx = r;
            int i = r + seed;
            PublicKey user = users.get(i % users.size());
            int k = 1 + (i % 3);
            List<Body.NodeWork> work = new ArrayList<>(k);
            long total = 0;
            for (int j = 0; j < k; j++) {
                long f = 3_000_000_000L + 7_919L * ((i * 31L + j) % 100_000);
                work.add(new Body.NodeWork(nodes.get((i + j) % nodes.size()), f));
                total += f;
            }
            long start = System.nanoTime();
            all[r] = billing.hold(user, billing.costOf(total) + 100).thenCompose(h -> {
                long s0 = System.nanoTime();
                return billing.settle(h.holdId(), work).thenApply(s -> {
                    settleLat[idx] = System.nanoTime() - s0;
                    return s;
                });
            }).whenComplete((s, e) -> {
                reqLat[idx] = System.nanoTime() - start;
                if (e != null && failures.getAndIncrement() == 0) {
                    synchronized (firstError) {
                        firstError.add(e.getMessage());
                    }
                }
                window.release();
            });
        }
        CompletableFuture.allOf(all).exceptionally(x -> null).join();
        long wall = System.nanoTime() - t0;
        long cpu = processCpuNanos() - cpu0;
        if (failures.get() > 0) throw new LedgerException(failures.get() + " metering requests failed; first: " + firstError.getFirst());
        Arrays.sort(settleLat);
        Arrays.sort(reqLat);
        return new Phase(n, ledger.height() - startHeight, wall, cpu, pct(settleLat, 50), pct(settleLat, 99), pct(reqLat, 50), pct(reqLat, 99));
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getProcessCpuTime();
        return 0;
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.min(sorted.length - 1, (long) sorted.length * p / 100);
        return sorted[i];
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Prints a report the way {@code braid bench ledger} does. */
    public static void print(Report r, PrintStream out) {
        Phase t = r.throughput();
        Phase l = r.latency();
        out.printf("throughput: %d settlements/s (%d ledger items/s: holds + settlements), %d blocks; process CPU %d ms = %d settlements per CPU-second (%d cores)%n",
                t.settlementsPerSecond(), 2 * t.settlementsPerSecond(), t.blocks(), t.cpuNanos() / 1_000_000, t.settlementsPerCpuSecond(),
                Runtime.getRuntime().availableProcessors());
        out.printf("  under saturation: settle -> committed p50 %d ms, p99 %d ms%n", t.settleP50() / 1_000_000, t.settleP99() / 1_000_000);
        out.printf("latency (moderate load, %d settlements/s): settle -> node owner credited p50 %d ms, p99 %d ms; hold + settle p50 %d ms, p99 %d ms%n",
                l.settlementsPerSecond(), l.settleP50() / 1_000_000, l.settleP99() / 1_000_000, l.requestP50() / 1_000_000, l.requestP99() / 1_000_000);
        out.printf("verify: %d items (%d transactions) in %d ms = %d items/s; %s%n", r.verifiedItems(), r.verifiedTxs(), r.verifyNanos() / 1_000_000,
                r.verifyItemsPerSecond(), r.verifyOk() ? "OK" : "FAILED: " + r.verifyMessage());
    }

    /** Standalone entry: {@code LedgerBench [requests] [concurrency]}. */
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int c = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        print(run(new Options(n, c, Math.max(1_000, n / 20), 64, 100, 10, null), System.out), System.out);
    }
}
