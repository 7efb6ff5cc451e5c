package io.braid.model.llama;

import io.braid.tensor.Matrix;

/**
 * The weights of one transformer block. Matrices are views over the mapped file; norms are small float copies.
 * Matrix orientation follows {@link Matrix}: rows = output width, cols = input width.
 */
record LayerWeights(float[] attentionNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                    float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {

    /** Bytes of matrix weights a forward pass of one token reads from memory. */
    long matrixBytes() {
        return wq.data().byteSize() + wk.data().byteSize() + wv.data().byteSize() + wo.data().byteSize()
                + gate.data().byteSize() + up.data().byteSize() + down.data().byteSize();
    }
}
