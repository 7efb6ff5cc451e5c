package io.braid.model.llama;

import io.braid.tensor.Matrix;

/** Where a model's tensors come from: a GGUF file or a llama2.c checkpoint. Slices are views; nothing is copied. */
sealed interface WeightSource extends AutoCloseable permits GgufWeights, Llama2cWeights {

    LlamaConfig config();

    /** The weights of block {@code layer}, validated against the config (only this layer's bytes are touched). */
    LayerWeights layer(int layer);

    /** The [vocab x dim] token embedding table. */
    Matrix embedding();

    /** The final RMSNorm weight. */
    float[] outputNorm();

    /** The [vocab x dim] output head (the embedding table when tied). */
    Matrix output();

    /** Every tensor of the file with its type, for {@code model info}. */
    java.util.List<TensorSummary> tensors();

    @Override
    void close();
}
