package io.braid.cli;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.model.ModelFormatException;
import io.braid.model.llama.KvCache;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Span;
import io.braid.proof.ActivationDigest;
import io.braid.proof.Commitment;
import io.braid.proof.TaskHashes;
import io.braid.tensor.Compute;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code braid bench proof}: the costs of proof of compute on a span of a model file — commitment bytes per token
 * per span, the time to build a commitment (hash input and output, digest, chain, sign) as a fraction of the task's
 * compute, the span's model identity (Merkle root over its tensors, computed once and cached), and the audit compute
 * as a fraction of network compute at an audit rate.
 */
@Command(name = "proof", mixinStandardHelpOptions = true,
        description = "Measure commitment size and cost and audit compute fraction on a model span.")
public final class BenchProofCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "GGUF file or llama2.c checkpoint")
    Path model;

    @Mixin
    ComputeOptions computeOptions;

    @Option(names = "--from", defaultValue = "0", description = "first layer of the span (default: ${DEFAULT-VALUE})")
    int from;

    @Option(names = "--to", description = "end layer of the span, exclusive (default: all layers)")
    Integer to;

    @Option(names = "--positions", defaultValue = "128", description = "session length: a 32-row prefill, then decode steps (default: ${DEFAULT-VALUE})")
    int positions;

    @Option(names = "--audit-rate-ppm", defaultValue = "10000", description = "audit rate, ppm (ledger default: ${DEFAULT-VALUE})")
    long auditRatePpm;

    @Override
    public Integer call() {
        try {
            if (positions < 33) throw new IllegalArgumentException("--positions must be at least 33 (a 32-row prefill plus decode steps)");
            if (auditRatePpm < 0 || auditRatePpm > 1_000_000) throw new IllegalArgumentException("--audit-rate-ppm must be in [0, 1000000]");
            return bench();
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("braid bench proof: " + e.getMessage());
            return 1;
        }
    }

    private int bench() {
        Compute.Mode computeMode = computeOptions.mode();
        int nThreads = computeOptions.threads();
        try (LlamaModel m = LlamaModel.open(model); Compute compute = new Compute(nThreads, computeMode)) {
            LlamaConfig c = m.config();
            int end = to == null ? c.layers() : to;
            if (positions > c.contextLength()) throw new IllegalArgumentException("--positions " + positions + " exceeds the context of " + c.contextLength());
            Span span = m.span(from, end);
            int dim = c.dim();
            System.out.printf(Locale.ROOT, "model %s: span [%d, %d) of %d layers, dim %d, %d threads, %s mode, %d positions%n",
                    model, from, end, c.layers(), dim, nThreads, computeMode.name().toLowerCase(Locale.ROOT), positions);

            long t0 = System.nanoTime();
            Hash32 root = io.braid.node.TaskCommitter.spanRoot(model, from, end);
            double identitySeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "model identity: root %s over the span's tensors in %.3f s (once per span, cached)%n",
                    root.hex().substring(0, 16), identitySeconds);

            Identity node = Identity.generate();
            float[] session = m.embedding().lookup(new Random(7).ints(positions, 0, c.vocabSize()).toArray());
            for (int warm = 0; warm < 2; warm++) {
                Result r = serve(span, compute, node, root, session, dim, warm == 0);
                if (warm == 1) report(r, span, compute, session, dim);
            }
            return 0;
        }
    }

    private record Result(double computeSeconds, double commitSeconds, double prefillCompute, double prefillCommit,
                          int decodeCommitmentBytes, int prefillCommitmentBytes, int decodeTasks, double signSeconds) {
    }

    /** Serves the session as a 32-row prefill task then one task per decode position, committing to each. */
    private Result serve(Span span, Compute compute, Identity node, Hash32 root, float[] session, int dim, boolean warmup) {
        KvCache cache = span.newCache(positions);
        Hash32 context = TaskHashes.EMPTY_CONTEXT;
        double compute0 = 0, commit0 = 0, preCompute = 0, preCommit = 0;
        int decodeBytes = 0, prefillBytes = 0;
        double signSeconds = 0;
        byte[] nonce = new byte[32];
        for (int pos = 0; pos < positions; ) {
            int rows = pos == 0 ? 32 : 1;
            float[] x = Arrays.copyOfRange(session, pos * dim, (pos + rows) * dim);
            int[] p = new int[rows];
            KvCache[] cs = new KvCache[rows];
            for (int i = 0; i < rows; i++) {
                p[i] = pos + i;
                cs[i] = cache;
            }
            long a = System.nanoTime();
            Hash32 inputHash = TaskHashes.floats(x, 0, x.length);
            long b = System.nanoTime();
            span.forward(compute, x, rows, p, cs);
            long d = System.nanoTime();
            Hash32 outputHash = TaskHashes.floats(x, 0, x.length);
            byte[] digest = ActivationDigest.of(x, 0, rows, dim);
            Hash32 nextContext = TaskHashes.chain(context, inputHash);
            long e = System.nanoTime();
            Commitment cm = Commitment.sign(node, Hashes.sha256(ByteBuffer.allocate(4).putInt(pos).array()), root, span.from(), span.to(),
                    pos, rows, dim, context, inputHash, outputHash, compute.mode() == Compute.Mode.DETERMINISTIC, digest, nonce);
            context = nextContext;
            long f = System.nanoTime();
            double commit = (b - a + e - d) / 1e9, comp = (d - b) / 1e9;
            signSeconds += rows == 1 ? (f - e) / 1e9 : 0;
            if (rows == 32) {
                preCompute = comp;
                preCommit = commit;
                prefillBytes = cm.encodedSize();
            } else {
                compute0 += comp;
                commit0 += commit;
                decodeBytes = cm.encodedSize();
            }
            pos += rows;
        }
        return new Result(compute0, commit0, preCompute, preCommit, decodeBytes, prefillBytes, positions - 32, signSeconds);
    }

    private void report(Result r, Span span, Compute compute, float[] session, int dim) {
        System.out.printf(Locale.ROOT, "commitment bytes per token per span: decode %d B/token (one task per token: digest %d B + hashes, nonce, key, signature); "
                        + "32-row prefill %.1f B/token; digest alone %d B per 32 positions%n",
                r.decodeCommitmentBytes(), ActivationDigest.bytesFor(1), r.prefillCommitmentBytes() / 32.0, ActivationDigest.bytesFor(32));
        System.out.printf(Locale.ROOT, "commitment build time (input/output hashes, digest, context chain) / task compute: decode %.3f%% "
                        + "(%.1f us per task vs %.1f us compute), prefill-32 %.3f%%%n",
                100 * r.commitSeconds() / r.computeSeconds(), 1e6 * r.commitSeconds() / r.decodeTasks(), 1e6 * r.computeSeconds() / r.decodeTasks(),
                100 * r.prefillCommit() / r.prefillCompute());
        System.out.printf(Locale.ROOT, "Ed25519 signature of a commitment: %.1f us per task (%.3f%% of decode compute; none extra when the commitment "
                        + "rides in the reply envelope the node signs anyway)%n",
                1e6 * r.signSeconds() / r.decodeTasks(), 100 * r.signSeconds() / r.computeSeconds());
        // audit: a selected task is re-executed from the session's recorded inputs (replayed as one prefill)
        double serveSeconds = r.computeSeconds() + r.prefillCompute();
        replay(span, compute, session, dim, positions); // warm-up
        double fullReplay = replay(span, compute, session, dim, positions);
        double halfReplay = replay(span, compute, session, dim, positions / 2);
        double q = auditRatePpm / 1e6;
        double perTask = halfReplay / (serveSeconds / (r.decodeTasks() + 1));
        System.out.printf(Locale.ROOT, "audit re-execution: whole session (%d positions) replayed in %.2f ms vs %.2f ms to serve it; "
                        + "a random task replays ~%d positions (%.2f ms)%n",
                positions, 1e3 * fullReplay, 1e3 * serveSeconds, positions / 2, 1e3 * halfReplay);
        System.out.printf(Locale.ROOT, "audit compute / network compute at rate %.2f%%: %.3f%% when a selected task's session is audited whole "
                        + "(one replay checks all its tasks), %.1f%% if each selected task were replayed on its own%n",
                100 * q, 100 * q * fullReplay / serveSeconds, 100 * q * perTask);
    }

    private static double replay(Span span, Compute compute, float[] session, int dim, int n) {
        KvCache cache = span.newCache(n);
        float[] x = Arrays.copyOf(session, n * dim);
        int[] p = new int[n];
        KvCache[] cs = new KvCache[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
            cs[i] = cache;
        }
        long a = System.nanoTime();
        span.forward(compute, x, n, p, cs);
        return (System.nanoTime() - a) / 1e9;
    }
}
