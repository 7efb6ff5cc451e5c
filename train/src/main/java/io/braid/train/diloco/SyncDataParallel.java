package io.braid.train.diloco;

import io.braid.train.AdamW;
import io.braid.train.LrSchedule;
import io.braid.train.ParamLayout;
import io.braid.train.TokenDataset;
import io.braid.train.TrainModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;

/**
 * The baseline: synchronous data-parallel training. Every step each of M workers computes the gradient
 * of its own shard's batch, the fp32 gradients are averaged (in worker order) and one AdamW step is taken
 * — what an all-reduce every step would do. Communication is counted as each worker sending its fp32
 * gradient and receiving the fp32 average: 2·M·4·params bytes per step. Uses the same model, optimizer,
 * schedule and data sampling as DiLoCo ({@link JobSpec}; total steps = H·outerSteps).
 */
public final class SyncDataParallel {

    private SyncDataParallel() {
    }

    /**
     * @param workers  M, the simulated data-parallel workers (one data shard each)
     * @param threads  threads to compute the M gradients on
     * @param reportEvery steps between history entries
     */
    public static TrainResult run(JobSpec spec, TokenDataset data, int workers, int threads, int reportEvery,
                                  ToDoubleFunction<float[]> evaluator) throws InterruptedException {
        ParamLayout layout = new ParamLayout(spec.shape());
        float[] w = layout.initialize(spec.seed());
        int n = w.length;
        int totalSteps = spec.innerSteps() * spec.outerSteps();
        LrSchedule schedule = spec.schedule();
        AdamW adam = new AdamW(layout, spec.adam());
        TrainModel[] models = new TrainModel[workers];
        float[][] grads = new float[workers][n];
        SplittableRandom[] rnd = new SplittableRandom[workers];
        for (int k = 0; k < workers; k++) {
            models[k] = new TrainModel(spec.shape(), 1);
        }
        float[] avg = new float[n];
        double[] losses = new double[workers];
        List<OuterStep> history = new ArrayList<>();
        long bytes = 0;
        long tokens = 0;
        double lossSum = 0;
        int lossCount = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("sync-dp-", 0).factory());
        try {
            for (int step = 0; step < totalSteps; step++) {
                if (step % spec.innerSteps() == 0) {
                    long version = step / spec.innerSteps();
                    for (int k = 0; k < workers; k++) {
                        rnd[k] = new SplittableRandom(spec.batchSeed(k, version));
                    }
                }
                List<Future<?>> fs = new ArrayList<>(workers);
                for (int k = 0; k < workers; k++) {
                    int kk = k;
                    fs.add(pool.submit(() -> {
                        int[][] batch = data.sample(kk % spec.shards(), spec.shards(), spec.batch(), spec.seqLen(), rnd[kk]);
                        losses[kk] = models[kk].lossAndGradient(w, batch, grads[kk]);
                    }));
                }
                for (Future<?> f : fs) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("data-parallel step " + step + " failed: " + e.getCause().getMessage(), e.getCause());
                    }
                }
                System.arraycopy(grads[0], 0, avg, 0, n);
                for (int k = 1; k < workers; k++) {
                    float[] g = grads[k];
                    for (int i = 0; i < n; i++) {
                        avg[i] += g[i];
                    }
                }
                float inv = 1f / workers;
                for (int i = 0; i < n; i++) {
                    avg[i] *= inv;
                }
                AdamW.clipGlobalNorm(avg, spec.clipNorm());
                adam.step(w, avg, schedule.at(step));
                bytes += 2L * workers * 4L * n;
                tokens += (long) workers * spec.batch() * spec.seqLen();
                for (double l : losses) {
                    lossSum += l;
                    lossCount++;
                }
                boolean last = step == totalSteps - 1;
                if ((step + 1) % reportEvery == 0 || last) {
                    double val = evaluator != null && last ? evaluator.applyAsDouble(w) : Double.NaN;
                    history.add(new OuterStep(step + 1, workers, 0, 0, workers, lossSum / lossCount, val, bytes / 2, bytes / 2, tokens));
                    lossSum = 0;
                    lossCount = 0;
                }
            }
        } finally {
            pool.shutdownNow();
            for (TrainModel m : models) {
                m.close();
            }
        }
        return new TrainResult(w, List.copyOf(history), bytes / 2, bytes / 2, tokens);
    }
}
