package io.braid.model.llama;

import io.braid.model.ModelFormatException;
import io.braid.model.llama2c.Llama2cCheckpoint;
import io.braid.model.llama2c.Llama2cCheckpoint.Weight;
import io.braid.tensor.Matrix;
import io.braid.tensor.RopeLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Llama weights in a llama2.c checkpoint (F32, run.c's layout; RoPE on interleaved pairs, theta 10000, eps 1e-5). */
final class Llama2cWeights implements WeightSource {

    private final Llama2cCheckpoint file;
    private final LlamaConfig config;

    private Llama2cWeights(Path path, Llama2cCheckpoint file) {
        this.file = file;
        Llama2cCheckpoint.Config h = file.config();
        try {
            this.config = new LlamaConfig("llama", h.dim(), h.hiddenDim(), h.nLayers(), h.nHeads(), h.nKvHeads(),
                    h.headSize(), h.vocabSize(), h.seqLen(), 1e-5f, 10000f, RopeLayout.INTERLEAVED, h.sharedClassifier());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, "header describes an impossible model: " + e.getMessage(), e);
        }
    }

    static Llama2cWeights open(Path path) {
        Llama2cCheckpoint file = Llama2cCheckpoint.open(path);
        try {
            return new Llama2cWeights(path, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    @Override
    public LayerWeights layer(int l) {
        return new LayerWeights(file.floats(Weight.RMS_ATT, l), file.matrix(Weight.WQ, l), file.matrix(Weight.WK, l),
                file.matrix(Weight.WV, l), file.matrix(Weight.WO, l), file.floats(Weight.RMS_FFN, l),
                file.matrix(Weight.W1, l), file.matrix(Weight.W3, l), file.matrix(Weight.W2, l));
    }

    @Override
    public Matrix embedding() {
        return file.matrix(Weight.TOKEN_EMBEDDING);
    }

    @Override
    public float[] outputNorm() {
        return file.floats(Weight.RMS_FINAL);
    }

    @Override
    public Matrix output() {
        return config.tiedHead() ? embedding() : file.matrix(Weight.CLASSIFIER);
    }

    @Override
    public List<TensorSummary> tensors() {
        List<TensorSummary> out = new ArrayList<>();
        for (Weight w : Weight.values()) {
            if (w == Weight.CLASSIFIER && config.tiedHead()) {
                continue;
            }
            int n = w.perLayer() ? config.layers() : 1;
            for (int l = 0; l < n; l++) {
                long bytes = w.perLayer() ? file.segment(w, l).byteSize() : file.segment(w).byteSize();
                String name = w.name().toLowerCase(java.util.Locale.ROOT) + (w.perLayer() ? "." + l : "");
                out.add(new TensorSummary(name, "F32", bytes / 4, bytes));
            }
        }
        return out;
    }

    @Override
    public void close() {
        file.close();
    }
}
