package io.braid.train;

/**
 * Linear warmup to {@code peak} over {@code warmupSteps}, then cosine decay to {@code minLr} at
 * {@code totalSteps} (held there after).
 */
public record LrSchedule(float peak, float minLr, int warmupSteps, int totalSteps) {

    public LrSchedule {
        if (!(peak > 0) || minLr < 0 || minLr > peak || warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("learning-rate schedule: need peak>0, 0<=min<=peak, warmup>=0, total>=1; got peak="
                    + peak + " min=" + minLr + " warmup=" + warmupSteps + " total=" + totalSteps);
        }
    }

    /** Learning rate of 0-based step {@code s}. */
    public float at(long s) {
        if (s < warmupSteps) {
            return peak * (s + 1) / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (s - warmupSteps) / decaySteps);
        return (float) (minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * progress)));
    }
}
