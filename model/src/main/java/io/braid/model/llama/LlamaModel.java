package io.braid.model.llama;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Llama-family model file (GGUF or llama2.c checkpoint), memory-mapped. Spans, the embedding and the head are
 * built on request and touch only their own tensors, so a node hosting layers 10..20 never pages in the rest.
 */
public final class LlamaModel implements AutoCloseable {

    private final Path path;
    private final WeightSource weights;

    private LlamaModel(Path path, WeightSource weights) {
        this.path = path;
        this.weights = weights;
    }

    /** Opens a GGUF file (recognised by its magic) or a llama2.c checkpoint; problems become one-line {@link ModelFormatException}s. */
    public static LlamaModel open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        if (isGguf(file)) {
            GgufFile gguf = GgufFile.open(file);
            try {
                return new LlamaModel(file, new GgufWeights(file, gguf));
            } catch (RuntimeException e) {
                gguf.close();
                throw e;
            }
        }
        return new LlamaModel(file, Llama2cWeights.open(file));
    }

    private static boolean isGguf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "no such file");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** The model's shape. */
    public LlamaConfig config() {
        return weights.config();
    }

    /** The file this model was read from. */
    public Path path() {
        return path;
    }

    /** The GGUF file (for tokenizer and chat-template metadata), or empty for a llama2.c checkpoint. */
    public Optional<GgufFile> gguf() {
        return weights instanceof GgufWeights g ? Optional.of(g.file()) : Optional.empty();
    }

    /** Layers {@code [from, to)} as a runnable span; maps only those layers' tensors. */
    public Span span(int from, int to) {
        int n = config().layers();
        if (from < 0 || to > n || from >= to) {
            throw new IllegalArgumentException("span [" + from + ", " + to + ") is not a non-empty range of the model's "
                    + n + " layers");
        }
        List<LayerWeights> layers = new ArrayList<>(to - from);
        for (int l = from; l < to; l++) {
            layers.add(weights.layer(l));
        }
        return new Span(config(), from, to, layers);
    }

    /** The token embedding step. */
    public Embedding embedding() {
        return new Embedding(weights.embedding());
    }

    /** The head step (final norm + logits). */
    public Head head() {
        return new Head(weights.outputNorm(), weights.output(), config().rmsEps());
    }

    /** Every tensor of the file with type and size, for {@code braid model info}. */
    public List<TensorSummary> tensors() {
        return weights.tensors();
    }

    WeightSource weights() {
        return weights;
    }

    @Override
    public void close() {
        weights.close();
    }
}
