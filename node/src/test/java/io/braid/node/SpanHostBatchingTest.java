package io.braid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.model.llama.LlamaModel;
import io.braid.tensor.Compute;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Continuous batching must change no result, bit for bit (DETERMINISTIC mode). */
class SpanHostBatchingTest {
    private static final int SESSIONS = 6, PROMPT = 3, DECODE = 12;

    /** Per session: a prompt of PROMPT rows then DECODE single rows, random activations (seeded per session). */
    private static float[][] inputs(int session, int dim) {
        SplittableRandom r = new SplittableRandom(100 + session);
        float[][] steps = new float[1 + DECODE][];
        steps[0] = new float[PROMPT * dim];
        for (int i = 1; i <= DECODE; i++) steps[i] = new float[dim];
        for (float[] s : steps) for (int i = 0; i < s.length; i++) s[i] = (float) r.nextGaussian();
        return steps;
    }

    private static List<float[]> run(SpanHost host, SpanHost.Session s, float[][] steps) throws RefusedException {
        List<float[]> outs = new ArrayList<>();
        int pos = 0;
        for (float[] step : steps) {
            float[] x = step.clone();
            int rows = x.length / host.dim();
            host.forward(s, x, rows, pos);
            pos += rows;
            outs.add(x);
        }
        return outs;
    }

    @Test
    void concurrentSessionsBatchTogetherAndGetBitIdenticalResults() throws Exception {
        try (LlamaModel model = LlamaModel.open(SharedData.stories260K()); Compute compute = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            int dim = model.config().dim();
            List<List<float[]>> alone = new ArrayList<>();
            try (SpanHost host = new SpanHost(model, "stories260K", 1, 4, compute, 64L << 20, 2_000_000L)) {
                for (int i = 0; i < SESSIONS; i++) {
                    SpanHost.Session s = host.open("alone-" + i, "stories260K", 1, 4, 64);
                    alone.add(run(host, s, inputs(i, dim)));
                    host.close(s);
                }
                assertThat(host.multiSessionBatches()).isZero();
            }
            // A long gather window so that steps of all sessions surely meet in one batch.
            try (SpanHost host = new SpanHost(model, "stories260K", 1, 4, compute, 64L << 20, 50_000_000L);
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<SpanHost.Session> sessions = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) sessions.add(host.open("batched-" + i, "stories260K", 1, 4, 64));
                CyclicBarrier start = new CyclicBarrier(SESSIONS);
                List<Future<List<float[]>>> futures = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    int id = i;
                    futures.add(pool.submit(() -> {
                        start.await();
                        return run(host, sessions.get(id), inputs(id, dim));
                    }));
                }
                for (int i = 0; i < SESSIONS; i++) {
                    List<float[]> got = futures.get(i).get();
                    for (int step = 0; step < got.size(); step++)
                        assertThat(got.get(step)).as("session %d step %d", i, step).isEqualTo(alone.get(i).get(step));
                }
                assertThat(host.multiSessionBatches()).as("decode steps of concurrent sessions ran as one batch").isPositive();
                assertThat(host.batches()).isLessThan((long) SESSIONS * (1 + DECODE));
            }
        }
    }

    @Test
    void kvBudgetRefusesWithAClearReasonAndFreesOnClose() throws Exception {
        try (LlamaModel model = LlamaModel.open(SharedData.stories260K()); Compute compute = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            long oneSession = io.braid.model.llama.KvCache.bytesFor(model.config(), 5, 512);
            try (SpanHost host = new SpanHost(model, "stories260K", 0, 5, compute, oneSession * 2, 1_000_000L)) {
                SpanHost.Session a = host.open("a", "stories260K", 0, 5, 512);
                host.open("b", "stories260K", 0, 5, 512);
                assertThatThrownBy(() -> host.open("c", "stories260K", 0, 5, 512))
                        .isInstanceOf(RefusedException.class).hasMessageContaining("KV cache budget full")
                        .matches(e -> ((RefusedException) e).retryable());
                host.close(a);
                host.open("c", "stories260K", 0, 5, 512);
                assertThatThrownBy(() -> host.open("d", "other-model", 0, 5, 16)).hasMessageContaining("serves stories260K, not other-model");
                assertThatThrownBy(() -> host.open("d", "stories260K", 2, 7, 16)).hasMessageContaining("not within this node's span [0,5)");
            }
        }
    }

    @Test
    void idleSessionsExpireAndGapsAreRefused() throws Exception {
        try (LlamaModel model = LlamaModel.open(SharedData.stories260K()); Compute compute = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            try (SpanHost host = new SpanHost(model, "stories260K", 0, 2, compute, 64L << 20, 1_000_000L)) {
                SpanHost.Session s = host.open("s", "stories260K", 0, 2, 32);
                assertThatThrownBy(() -> host.forward(s, new float[model.config().dim()], 1, 3)).hasMessageContaining("skips ahead");
                Thread.sleep(5);
                assertThat(host.expireIdle(1_000_000L)).isEqualTo(1);
                assertThat(host.activeSessions()).isZero();
                assertThat(host.kvReserved()).isZero();
                assertThatThrownBy(() -> host.forward(s, new float[model.config().dim()], 1, 0)).hasMessageContaining("was closed");
            }
        }
    }
}
