package io.braid.train;

/**
 * AdamW with decoupled weight decay (Loshchilov &amp; Hutter): {@code p -= lr·(m̂/(√v̂+eps) + wd·p)}, the
 * decay applied only to matrices (not to norm gains). Updates are element-wise, so the result is
 * independent of any threading.
 */
public final class AdamW {

    /** Hyperparameters of the inner optimizer. */
    public record Config(float beta1, float beta2, float eps, float weightDecay) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW: need 0<=beta<1, eps>0, weightDecay>=0; got " + beta1 + ", " + beta2
                        + ", " + eps + ", " + weightDecay);
            }
        }

        public static Config defaults() {
            return new Config(0.9f, 0.95f, 1e-8f, 0.1f);
        }
    }

    private final Config config;
    private final float[] decayMask;
    private final float[] m;
    private final float[] v;
    private long step;

    public AdamW(ParamLayout layout, Config config) {
        this.config = config;
        this.m = new float[layout.size()];
        this.v = new float[layout.size()];
        this.decayMask = new float[layout.size()];
        for (ParamLayout.Slot s : layout.slots()) {
            if (s.isMatrix()) {
                java.util.Arrays.fill(decayMask, s.offset(), s.offset() + s.size(), 1f);
            }
        }
    }

    /** One update of {@code params} with {@code grad} at learning rate {@code lr}. */
    public void step(float[] params, float[] grad, float lr) {
        step++;
        float b1 = config.beta1();
        float b2 = config.beta2();
        float c1 = (float) (1 - Math.pow(b1, step));
        float c2 = (float) (1 - Math.pow(b2, step));
        float wd = config.weightDecay();
        float eps = config.eps();
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            float mi = b1 * m[i] + (1 - b1) * g;
            float vi = b2 * v[i] + (1 - b2) * g * g;
            m[i] = mi;
            v[i] = vi;
            float update = (mi / c1) / ((float) Math.sqrt(vi / c2) + eps);
            params[i] -= lr * (update + wd * decayMask[i] * params[i]);
        }
    }

    public long steps() {
        return step;
    }

    /**
     * Scales {@code grad} in place so its global L2 norm is at most {@code maxNorm} (no-op when
     * {@code maxNorm <= 0}); returns the norm before clipping. The norm is summed in index order in double.
     */
    public static double clipGlobalNorm(float[] grad, float maxNorm) {
        double ss = 0;
        for (float g : grad) {
            ss += (double) g * g;
        }
        double norm = Math.sqrt(ss);
        if (maxNorm > 0 && norm > maxNorm) {
            float s = (float) (maxNorm / norm);
            for (int i = 0; i < grad.length; i++) {
                grad[i] *= s;
            }
        }
        return norm;
    }
}
