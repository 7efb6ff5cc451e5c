package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import io.braid.model.llama.KvCache;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Span;
import io.braid.tensor.Compute;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A span host for in-process proof tests: serves tasks (recomputing the session from its recorded inputs, like a
 * failover replay) and commits to them; the same class re-executes as an auditor. A {@link Cheat} (tests only)
 * makes it misbehave on the tasks {@link Schedule} picks; honest variations: threads, FAST mode, and running the
 * task's rows batched together with another session's row.
 */
final class TestNode implements Reexecutor {

    /** Cheating behaviours (test harness only). */
    enum Cheat { NONE, RANDOM, ZERO, SKIP_LAYER, ALTERED_MODEL, REPLAY }

    /** Which tasks the node cheats on: a fraction p, after a number of honest tasks. */
    record Schedule(double p, long honestFirst) {
        static final Schedule ALWAYS = new Schedule(1, 0);
    }

    private final Identity identity = Identity.generate();
    private final Span span;
    private final Span shortSpan;
    private final Compute compute;
    private final Hash32 claimedRoot;
    private final Cheat cheat;
    private final Schedule schedule;
    private final boolean batchWithOther;
    private final SplittableRandom rnd;
    private final Map<Integer, float[]> lastOutputs = new HashMap<>();
    private long served;
    long cheated;

    /**
     * @param model       the weights this node actually runs (an altered copy for ALTERED_MODEL)
     * @param claimedRoot the identity it claims (cheaters claim the honest root)
     */
    TestNode(LlamaModel model, int from, int to, Compute compute, Hash32 claimedRoot, Cheat cheat, Schedule schedule,
             boolean batchWithOther, long seed) {
        this.span = model.span(from, to);
        this.shortSpan = to - from > 1 ? model.span(from, to - 1) : null;
        this.compute = compute;
        this.claimedRoot = claimedRoot;
        this.cheat = cheat;
        this.schedule = schedule;
        this.batchWithOther = batchWithOther;
        this.rnd = new SplittableRandom(seed);
    }

    static TestNode honest(LlamaModel model, int from, int to, Compute compute, Hash32 root) {
        return new TestNode(model, from, to, compute, root, Cheat.NONE, Schedule.ALWAYS, false, 1);
    }

    @Override
    public PublicKey id() {
        return identity.publicKey();
    }

    Identity identity() {
        return identity;
    }

    /** Serves a task (as the node the gateway routed to). */
    Recomputation serve(Hash32 taskId, byte[] nonce, List<float[]> history, float[] input, int firstPosition) {
        served++;
        boolean cheatNow = cheat != Cheat.NONE && served > schedule.honestFirst() && rnd.nextDouble() < schedule.p();
        if (cheatNow) cheated++;
        return run(taskId, nonce, history, input, firstPosition, cheatNow ? cheat : Cheat.NONE);
    }

    @Override
    public Recomputation reexecute(TaskRecord task) {
        Commitment c = task.commitment();
        return run(c.taskId(), c.nonce(), task.history(), task.input(), c.firstPosition(), Cheat.NONE);
    }

    private Recomputation run(Hash32 taskId, byte[] nonce, List<float[]> history, float[] input, int first, Cheat how) {
        int dim = span.config().dim();
        int rows = input.length / dim;
        Span s = how == Cheat.SKIP_LAYER && shortSpan != null ? shortSpan : span;
        Hash32 context = TaskHashes.EMPTY_CONTEXT;
        KvCache cache = s.newCache(first + rows);
        int pos = 0;
        for (float[] h : history) {
            context = TaskHashes.chain(context, TaskHashes.floats(h, 0, h.length));
            float[] x = h.clone();
            int n = x.length / dim;
            s.forward(compute, x, n, positions(pos, n), caches(cache, n));
            pos += n;
        }
        if (pos != first) throw new IllegalArgumentException("history covers " + pos + " positions, task starts at " + first);
        float[] out;
        if (batchWithOther) {
            // the task's rows batched with another session's first row (a different batch composition)
            float[] x = new float[(rows + 1) * dim];
            System.arraycopy(input, 0, x, 0, input.length);
            for (int j = 0; j < dim; j++) x[rows * dim + j] = (float) rnd.nextGaussian();
            int[] p = new int[rows + 1];
            KvCache[] cs = new KvCache[rows + 1];
            for (int r = 0; r < rows; r++) {
                p[r] = first + r;
                cs[r] = cache;
            }
            cs[rows] = s.newCache(1);
            s.forward(compute, x, rows + 1, p, cs);
            out = java.util.Arrays.copyOf(x, rows * dim);
        } else {
            out = input.clone();
            s.forward(compute, out, rows, positions(first, rows), caches(cache, rows));
        }
        switch (how) {
            case RANDOM -> {
                for (int i = 0; i < out.length; i++) out[i] = (float) rnd.nextGaussian();
            }
            case ZERO -> java.util.Arrays.fill(out, 0f);
            case REPLAY -> {
                float[] earlier = lastOutputs.get(rows);
                if (earlier != null) out = earlier.clone();
                else for (int i = 0; i < out.length; i++) out[i] = (float) rnd.nextGaussian(); // nothing to replay yet
            }
            default -> {
            }
        }
        if (how == Cheat.NONE) lastOutputs.put(rows, out.clone());
        Commitment c = Commitment.sign(identity, taskId, claimedRoot, span.from(), span.to(), first, rows, dim, context,
                TaskHashes.floats(input, 0, input.length), TaskHashes.floats(out, 0, out.length),
                compute.mode() == Compute.Mode.DETERMINISTIC, ActivationDigest.of(out, 0, rows, dim), nonce);
        return new Recomputation(c, out);
    }

    private static int[] positions(int first, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = first + i;
        return p;
    }

    private static KvCache[] caches(KvCache c, int n) {
        KvCache[] a = new KvCache[n];
        java.util.Arrays.fill(a, c);
        return a;
    }
}
