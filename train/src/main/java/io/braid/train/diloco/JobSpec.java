package io.braid.train.diloco;

import io.braid.train.AdamW;
import io.braid.train.LrSchedule;
import io.braid.train.ModelShape;
import io.braid.train.codec.PseudoGradientCodec;

/**
 * Everything a worker needs to run inner rounds of a DiLoCo job, sent with its assignment.
 *
 * @param shape         model shape (its seqLen is the context the checkpoint declares)
 * @param seqLen        training window length (≤ shape.seqLen)
 * @param batch         sequences per inner step per worker
 * @param innerSteps    H, inner AdamW steps per outer step
 * @param outerSteps    outer steps of the job
 * @param innerLr       peak inner learning rate (warmup + cosine over all inner steps of the job)
 * @param minLr         final inner learning rate
 * @param warmupSteps   inner warmup steps
 * @param clipNorm      global gradient-norm clip (≤ 0: none)
 * @param adam          inner AdamW hyperparameters
 * @param outerLr       outer Nesterov learning rate (DiLoCo: 0.7)
 * @param outerMomentum outer Nesterov momentum (DiLoCo: 0.9)
 * @param codec         pseudo-gradient and broadcast codec, as {@link PseudoGradientCodec#parse}
 * @param shards        data shards (normally the initial worker count)
 * @param seed          seeds the initial weights and every batch draw
 */
public record JobSpec(ModelShape shape, int seqLen, int batch, int innerSteps, int outerSteps, float innerLr, float minLr,
                      int warmupSteps, float clipNorm, AdamW.Config adam, float outerLr, float outerMomentum, String codec,
                      int shards, long seed) {

    public JobSpec {
        if (seqLen < 1 || seqLen > shape.seqLen()) {
            throw new IllegalArgumentException("training sequence length must be in 1.." + shape.seqLen() + ", got " + seqLen);
        }
        if (batch < 1 || innerSteps < 1 || outerSteps < 1 || shards < 1) {
            throw new IllegalArgumentException("batch, innerSteps (H), outerSteps and shards must be >= 1");
        }
        if (!(outerLr > 0) || !(outerMomentum >= 0 && outerMomentum < 1)) {
            throw new IllegalArgumentException("outer lr must be > 0 and momentum in [0,1), got " + outerLr + ", " + outerMomentum);
        }
        PseudoGradientCodec.parse(codec); // fail fast on a bad codec name
        schedule(innerLr, minLr, warmupSteps, innerSteps * outerSteps);
    }

    private static LrSchedule schedule(float lr, float min, int warmup, int total) {
        return new LrSchedule(lr, min, warmup, total);
    }

    /** The inner learning-rate schedule over all H·outerSteps inner steps. */
    public LrSchedule schedule() {
        return schedule(innerLr, minLr, warmupSteps, innerSteps * outerSteps);
    }

    public PseudoGradientCodec parsedCodec() {
        return PseudoGradientCodec.parse(codec);
    }

    /** Copy with other H / outer steps / codec (for sweeps at equal compute). */
    public JobSpec with(int newInnerSteps, int newOuterSteps, String newCodec) {
        return new JobSpec(shape, seqLen, batch, newInnerSteps, newOuterSteps, innerLr, minLr, warmupSteps, clipNorm, adam,
                outerLr, outerMomentum, newCodec, shards, seed);
    }

    /** Batch-draw seed of one worker stream at one outer version (SplitMix-style mixing). */
    public long batchSeed(long stream, long version) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + version * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
