package io.braid.model.llama;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.Ops;

/** The model's head: final RMSNorm, then the output matrix to one logit per vocabulary entry. */
public final class Head {

    private final float[] norm;
    private final Matrix output;
    private final float eps;

    Head(float[] norm, Matrix output, float eps) {
        this.norm = norm;
        this.output = output;
        this.eps = eps;
    }

    /** Number of logits per row. */
    public int vocabSize() {
        return output.rows();
    }

    /** Bytes of weights one row's logits read. */
    public long weightBytes() {
        return output.data().byteSize() + 4L * norm.length;
    }

    /** Logits of {@code batch} rows of {@code x} ([batch x dim], left unchanged) into {@code out} ([batch x vocab]). */
    public void logits(Compute compute, float[] x, int batch, float[] out) {
        int dim = output.cols();
        if (x.length < batch * dim || out.length < batch * output.rows()) {
            throw new IllegalArgumentException("head needs " + batch + " rows of " + dim + " floats and room for "
                    + batch + " x " + output.rows() + " logits");
        }
        float[] normed = new float[batch * dim];
        for (int b = 0; b < batch; b++) {
            Ops.rmsnorm(normed, b * dim, x, b * dim, norm, dim, eps);
        }
        compute.matmul(output, normed, batch, out);
    }
}
