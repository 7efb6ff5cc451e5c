package io.braid.ledger;

import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import java.io.IOException;
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
 * {@code braid bench ledger}: sustained metering through the real embedded ledger (Ratis log, block file, fsync per
 * block) — each request is an escrow hold followed by a settlement crediting 1-3 nodes — then a full
 * {@link Verifier} replay of the result.
 */
public final class LedgerBench {
    private LedgerBench() {}

    /**
     * @param requests    metered requests to run (each = one hold + one settlement)
     * @param concurrency requests in flight at once (like concurrent gateway sessions)
     * @param users       paying accounts
     * @param nodes       registered nodes
     */
    public record Options(int requests, int concurrency, int users, int nodes, Path dataDir) {}

    /**
     * Results. Latencies are nanoseconds from {@code settle()} to the settlement being committed in a block (the
     * node owner's balance is credited at that moment).
     */
    public record Report(int requests, long blocks, long meteringNanos, long settleP50Nanos, long settleP99Nanos,
                         long requestP50Nanos, long requestP99Nanos, long verifyNanos, long verifiedTxs, long verifiedItems, boolean verifyOk, String verifyMessage) {
        /** Settlements (metering transactions) per second. */
        public long settlementsPerSecond() {
            return meteringNanos == 0 ? 0 : requests * 1_000_000_000L / meteringNanos;
        }

        /** Ledger items (holds + settlements) applied per second. */
        public long itemsPerSecond() {
            return meteringNanos == 0 ? 0 : 2L * requests * 1_000_000_000L / meteringNanos;
        }

        public long verifyItemsPerSecond() {
            return verifyNanos == 0 ? 0 : verifiedItems * 1_000_000_000L / verifyNanos;
        }
    }

    public static Report run(Options o, java.io.PrintStream log) throws IOException {
        Path dir = o.dataDir() != null ? o.dataDir() : Files.createTempDirectory("braid-ledger-bench");
        Report rep;
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
            long startHeight = ledger.height();
            log.printf("ledger bench: %d requests, %d in flight, %d users, %d nodes, data %s%n", o.requests(), o.concurrency(), o.users(), o.nodes(), dir);
            long[] settleLat = new long[o.requests()];
            long[] reqLat = new long[o.requests()];
            Semaphore window = new Semaphore(o.concurrency());
            AtomicInteger failures = new AtomicInteger();
            List<String> firstError = new ArrayList<>();
            CompletableFuture<?>[] all = new CompletableFuture<?>[o.requests()];
            long t0 = System.nanoTime();
            for (int i = 0; i < o.requests(); i++) {
                window.acquireUninterruptibly();
                final int idx = i;
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
                long hold = billing.costOf(total) + 100;
                all[i] = billing.hold(user, hold).thenCompose(h -> {
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
            long elapsed = System.nanoTime() - t0;
            if (failures.get() > 0) throw new LedgerException(failures.get() + " metering requests failed; first: " + firstError.getFirst());
            long blocks = ledger.height() - startHeight;
            Arrays.sort(settleLat);
            Arrays.sort(reqLat);
            log.printf("metered %d requests in %d ms over %d blocks%n", o.requests(), elapsed / 1_000_000, blocks);
            rep = new Report(o.requests(), blocks, elapsed, pct(settleLat, 50), pct(settleLat, 99), pct(reqLat, 50), pct(reqLat, 99), 0, 0, 0, false, "");
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
        return new Report(rep.requests(), rep.blocks(), rep.meteringNanos(), rep.settleP50Nanos(), rep.settleP99Nanos(), rep.requestP50Nanos(),
                rep.requestP99Nanos(), vn, v.txs(), items, v.ok(), v.message());
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

    /** Standalone entry: {@code LedgerBench [requests] [concurrency]}. */
    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int c = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Report r = run(new Options(n, c, 100, 10, null), System.out);
        System.out.println(r);
        System.out.printf("settlements/s %d, items/s %d, settle p50 %d ms p99 %d ms, verify %d items/s (%s)%n", r.settlementsPerSecond(), r.itemsPerSecond(),
                r.settleP50Nanos() / 1_000_000, r.settleP99Nanos() / 1_000_000, r.verifyItemsPerSecond(), r.verifyMessage());
    }
}
