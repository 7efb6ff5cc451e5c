package io.braid.train.diloco;

import io.braid.train.ParamLayout;
import io.braid.train.codec.PseudoGradientCodec;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The DiLoCo reducer: admits workers at outer boundaries, collects their encoded pseudo-gradients until
 * all active workers delivered or the round deadline passed (then it uses what arrived, including updates
 * up to {@code maxStaleness} versions old), averages them in a fixed order, takes the outer Nesterov step
 * and broadcasts the change of the weights, encoded with the job's codec.
 *
 * <p>The broadcast weights ("replica") are what every worker holds; the coordinator tracks them, and each
 * broadcast encodes {@code θ − replica}, so whatever a lossy codec dropped is sent in a later broadcast
 * (error feedback on the downlink). The job's result is θ itself.
 */
public final class DilocoCoordinator {

    /**
     * @param minWorkers       workers to wait for before the first outer step
     * @param roundDeadlineMs  once at least one update arrived, wait at most this long for the rest
     * @param maxStaleness     oldest base version (in outer steps) an update may have and still count
     * @param joinTimeoutMs    how long to wait for workers when none is active
     * @param evalEvery        evaluate validation loss every this many outer steps (and at the end); 0 = only at the end
     */
    public record Options(int minWorkers, long roundDeadlineMs, int maxStaleness, long joinTimeoutMs, int evalEvery) {
        public Options {
            if (minWorkers < 1 || roundDeadlineMs < 1 || maxStaleness < 0 || joinTimeoutMs < 1 || evalEvery < 0) {
                throw new IllegalArgumentException("coordinator options: minWorkers>=1, deadline>=1ms, staleness>=0, join timeout>=1ms");
            }
        }
    }

    private static final class Member {
        final String id;
        final int ordinal;
        final int shard;
        long lastBase;

        Member(String id, int ordinal, int shard, long lastBase) {
            this.id = id;
            this.ordinal = ordinal;
            this.shard = shard;
            this.lastBase = lastBase;
        }
    }

    private final JobSpec spec;
    private final CoordinatorTransport transport;
    private final Options options;
    private final ToDoubleFunction<float[]> evaluator;
    private final Consumer<OuterStep> listener;
    private final PseudoGradientCodec codec;
    private final PseudoGradientCodec.Fp32 fp32 = new PseudoGradientCodec.Fp32();
    private final Map<String, Member> active = new java.util.LinkedHashMap<>();
    private final TreeSet<String> pendingJoins = new TreeSet<>();
    private int nextOrdinal;
    private long bytesUp;
    private long bytesDown;
    private long tokens;
    private volatile boolean cancelled;

    /**
     * @param evaluator validation loss of a weight vector, or null
     * @param listener  called after every outer step (progress), or null
     */
    public DilocoCoordinator(JobSpec spec, CoordinatorTransport transport, Options options, ToDoubleFunction<float[]> evaluator,
                             Consumer<OuterStep> listener) {
        this.spec = spec;
        this.transport = transport;
        this.options = options;
        this.evaluator = evaluator;
        this.listener = listener;
        this.codec = spec.parsedCodec();
    }

    /** Ends the job at the next outer boundary. */
    public void cancel() {
        cancelled = true;
    }

    /** Runs the job from the job seed's initial weights (workers derive them: nothing to send). */
    public TrainResult run() throws InterruptedException {
        return run(new ParamLayout(spec.shape()).initialize(spec.seed()), true);
    }

    /** Runs the job from {@code initial} weights (e.g. a checkpoint to continue), sent to every worker. */
    public TrainResult run(float[] initial) throws InterruptedException {
        return run(initial, false);
    }

    private boolean fromSeed;

    private TrainResult run(float[] initial, boolean seeded) throws InterruptedException {
        this.fromSeed = seeded;
        int n = initial.length;
        float[] theta = initial.clone();
        float[] replica = initial.clone();
        float[] momentum = new float[n];
        float[] avg = new float[n];
        float[] decoded = new float[n];
        List<OuterStep> history = new ArrayList<>();
        awaitInitialWorkers(replica);
        for (long version = 0; version < spec.outerSteps() && !cancelled; version++) {
            TreeMap<Integer, ToCoordinator.Update> fresh = new TreeMap<>();
            List<ToCoordinator.Update> stale = new ArrayList<>();
            int[] dropped = {0};
            collect(version, fresh, stale, dropped, replica);
            // Fixed reduction order: fresh by admission ordinal, then stale in arrival order.
            java.util.Arrays.fill(avg, 0f);
            List<ToCoordinator.Update> all = new ArrayList<>(fresh.values());
            all.addAll(stale);
            double lossSum = 0;
            for (ToCoordinator.Update u : all) {
                codec.decode(u.payload(), decoded);
                for (int i = 0; i < n; i++) {
                    avg[i] += decoded[i];
                }
                lossSum += u.trainLoss();
                tokens += u.tokens();
            }
            float inv = 1f / all.size();
            float mu = spec.outerMomentum();
            float lr = spec.outerLr();
            for (int i = 0; i < n; i++) {
                float g = avg[i] * inv;
                momentum[i] = mu * momentum[i] + g;
                theta[i] -= lr * (g + mu * momentum[i]);
            }
            long newVersion = version + 1;
            boolean last = newVersion == spec.outerSteps() || cancelled;
            dropped[0] += dropSilent(newVersion);
            if (!last) {
                for (int i = 0; i < n; i++) {
                    decoded[i] = theta[i] - replica[i];
                }
                byte[] payload = codec.encode(decoded);
                codec.decode(payload, decoded);
                for (int i = 0; i < n; i++) {
                    replica[i] += decoded[i];
                }
                for (Member m : active.values()) {
                    if (transport.send(m.id, new ToWorker.Delta(newVersion, payload))) {
                        bytesDown += payload.length;
                    }
                }
                admitPending(newVersion, replica);
            }
            double val = Double.NaN;
            if (evaluator != null && (last || (options.evalEvery() > 0 && newVersion % options.evalEvery() == 0))) {
                val = evaluator.applyAsDouble(theta);
            }
            OuterStep step = new OuterStep(newVersion, all.size(), stale.size(), dropped[0], active.size(), lossSum / all.size(), val,
                    bytesUp, bytesDown, tokens);
            history.add(step);
            if (listener != null) {
                listener.accept(step);
            }
        }
        for (Member m : active.values()) {
            transport.send(m.id, new ToWorker.Finish(history.size(), cancelled ? "job cancelled" : "job finished"));
        }
        for (String id : pendingJoins) {
            transport.send(id, new ToWorker.Finish(history.size(), "job finished"));
        }
        return new TrainResult(theta, List.copyOf(history), bytesUp, bytesDown, tokens);
    }

    private void awaitInitialWorkers(float[] replica) throws InterruptedException {
        long start = System.currentTimeMillis();
        while (pendingJoins.size() < options.minWorkers()) {
            long left = options.joinTimeoutMs() - (System.currentTimeMillis() - start);
            if (left <= 0) {
                throw new IllegalStateException("only " + pendingJoins.size() + " of " + options.minWorkers() + " workers joined within "
                        + options.joinTimeoutMs() + " ms");
            }
            ToCoordinator m = transport.poll(left);
            if (m instanceof ToCoordinator.Join j) {
                pendingJoins.add(j.workerId());
            } else if (m instanceof ToCoordinator.Left l) {
                pendingJoins.remove(l.workerId());
            }
        }
        admitPending(0, replica);
    }

    /** Admits queued joiners (sorted by id, so admission is deterministic) with the current weights. */
    private void admitPending(long version, float[] replica) {
        if (pendingJoins.isEmpty()) {
            return;
        }
        byte[] weights = fromSeed && version == 0 ? new byte[0] : fp32.encode(replica);
        for (String id : pendingJoins) {
            BitSet used = new BitSet();
            for (Member m : active.values()) {
                used.set(m.shard);
            }
            int ordinal = nextOrdinal++;
            int free = used.nextClearBit(0);
            int shard = free < spec.shards() ? free : ordinal % spec.shards();
            Member member = new Member(id, ordinal, shard, version);
            if (transport.send(id, new ToWorker.Assign(spec, version, shard, ordinal, weights))) {
                active.put(id, member);
                bytesDown += weights.length;
            }
        }
        pendingJoins.clear();
    }

    /** Drops workers that delivered nothing for longer than the staleness bound allows. */
    private int dropSilent(long version) {
        int n = 0;
        for (var it = active.values().iterator(); it.hasNext(); ) {
            Member m = it.next();
            if (version - m.lastBase > options.maxStaleness() + 1L) {
                transport.send(m.id, new ToWorker.Finish(version, "dropped: no update for " + (version - m.lastBase) + " outer steps"));
                it.remove();
                n++;
            }
        }
        return n;
    }

    private void collect(long version, TreeMap<Integer, ToCoordinator.Update> fresh, List<ToCoordinator.Update> stale, int[] dropped,
                         float[] replica) throws InterruptedException {
        long start = System.currentTimeMillis();
        long lastProgress = start;
        while (true) {
            if (active.isEmpty()) {
                admitPending(version, replica);
            }
            boolean allIn = !active.isEmpty();
            for (Member m : active.values()) {
                if (!fresh.containsKey(m.ordinal)) {
                    allIn = false;
                    break;
                }
            }
            if (allIn) {
                return;
            }
            long now = System.currentTimeMillis();
            boolean any = !fresh.isEmpty() || !stale.isEmpty();
            if (any && now - start >= options.roundDeadlineMs()) {
                return;
            }
            if (!any && now - lastProgress >= options.joinTimeoutMs()) {
                throw new IllegalStateException("outer step " + version + ": no pseudo-gradient from any of " + active.size()
                        + " workers within " + options.joinTimeoutMs() + " ms");
            }
            long wait = any ? Math.max(1, options.roundDeadlineMs() - (now - start)) : Math.max(1, options.joinTimeoutMs() - (now - lastProgress));
            ToCoordinator msg = transport.poll(Math.min(wait, 1000));
            if (msg == null) {
                continue;
            }
            switch (msg) {
                case ToCoordinator.Join j -> {
                    if (!active.containsKey(j.workerId())) {
                        pendingJoins.add(j.workerId());
                        lastProgress = System.currentTimeMillis();
                    }
                }
                case ToCoordinator.Left l -> {
                    active.remove(l.workerId());
                    pendingJoins.remove(l.workerId());
                }
                case ToCoordinator.Update u -> {
                    bytesUp += u.payload().length;
                    Member m = active.get(u.workerId());
                    if (m == null) {
                        dropped[0]++;
                    } else if (u.baseVersion() == version) {
                        m.lastBase = version;
                        fresh.put(m.ordinal, u);
                    } else if (u.baseVersion() < version && version - u.baseVersion() <= options.maxStaleness()) {
                        m.lastBase = u.baseVersion();
                        stale.add(u);
                    } else {
                        dropped[0]++;
                    }
                }
            }
        }
    }
}
