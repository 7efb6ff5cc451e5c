package io.braid.train.codec;

/**
 * Error feedback for a lossy codec: each message encodes the value plus what earlier messages failed to
 * carry, and keeps the new shortfall. Over many messages the decoded sum tracks the true sum.
 */
public final class ErrorFeedback {

    private final PseudoGradientCodec codec;
    private final float[] residual;
    private final float[] scratch;

    public ErrorFeedback(PseudoGradientCodec codec, int n) {
        this.codec = codec;
        this.residual = new float[n];
        this.scratch = new float[n];
    }

    /** Encodes x + residual and keeps (x + residual) − decode(payload) as the next residual. */
    public byte[] encode(float[] x) {
        if (x.length != residual.length) {
            throw new IllegalArgumentException("vector has " + x.length + " values, error feedback was made for " + residual.length);
        }
        float[] y = scratch;
        for (int i = 0; i < y.length; i++) {
            y[i] = x[i] + residual[i];
        }
        byte[] payload = codec.encode(y);
        float[] decoded = new float[y.length];
        codec.decode(payload, decoded);
        for (int i = 0; i < y.length; i++) {
            residual[i] = y[i] - decoded[i];
        }
        return payload;
    }

    public PseudoGradientCodec codec() {
        return codec;
    }

    /** Euclidean norm of what has not been sent yet. */
    public double residualNorm() {
        double s = 0;
        for (float r : residual) {
            s += (double) r * r;
        }
        return Math.sqrt(s);
    }
}
