package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.synth.ModelShape;
import io.braid.model.synth.SyntheticModel;
import io.braid.tensor.TensorType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code braid model synth}: writes a random-weight Llama GGUF of a real model's shape with a real vocabulary, for
 * benchmarks and capacity tests. Explicit sizes override those of {@code --shape}.
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a random-weight Llama GGUF of a real model's shape (for benchmarks and capacity tests).",
                "Shapes: stories260k, tinyllama-1.1b, llama-3.2-1b (context written as 8192), llama-2-7b.",
                "Give --shape, or --dim/--hidden/--layers/--heads; explicit sizes override the shape's."})
public final class ModelSynthCommand implements Callable<Integer> {

    @Option(names = "--shape", description = "a known model shape (see above)")
    String shape;

    @Option(names = "--dim", description = "embedding size")
    Integer dim;

    @Option(names = "--hidden", description = "feed-forward size")
    Integer hidden;

    @Option(names = "--layers", description = "transformer blocks")
    Integer layers;

    @Option(names = "--heads", description = "attention heads")
    Integer heads;

    @Option(names = "--kv-heads", description = "key/value heads (default: --heads, or the shape's)")
    Integer kvHeads;

    @Option(names = "--context", description = "context length (default: 2048, or the shape's)")
    Integer context;

    @Option(names = "--rope-theta", description = "RoPE base frequency (default: 10000, or the shape's)")
    Float ropeTheta;

    @Option(names = "--tied", negatable = true, description = "share token_embd as the output head (default: no, or the shape's)")
    Boolean tied;

    @Option(names = "--type", required = true, description = "weight type: q8_0 | q4_0 | f16 | f32 (norms are always f32)")
    String type;

    @Option(names = "--vocab", required = true, description = "a GGUF whose tokenizer.* metadata (and vocabulary size) to copy, "
            + "e.g. ../shared/models/vocab/ggml-vocab-llama-spm.gguf")
    Path vocab;

    @Option(names = "--out", required = true, description = "output GGUF file")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "random seed; equal seeds give identical files (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "generator threads (default: all cores; the file does not depend on it)")
    Integer threads;

    @Override
    public Integer call() {
        try {
            ModelShape s = shape();
            TensorType t = tensorType(type);
            int n = EngineOptions.threads(threads);
            String name = shape != null ? shape.toLowerCase(Locale.ROOT) : "custom";
            long start = System.nanoTime();
            SyntheticModel.Result r = new SyntheticModel(s, name, t, seed, n).write(vocab, out);
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "wrote %s: llama %s, dim %d, hidden %d, layers %d, heads %d/%d, context %d,"
                            + " vocab %d, %s, %,d parameters, %,d bytes in %.1f s%n", r.file(), name, s.dim(),
                    s.hiddenDim(), s.layers(), s.heads(), s.kvHeads(), s.contextLength(), r.vocabSize(), t,
                    r.parameters(), r.fileBytes(), secs);
            return 0;
        } catch (ModelFormatException | IllegalArgumentException | UncheckedIOException e) {
            System.err.println("braid model synth: " + e.getMessage());
            return 1;
        }
    }

    private ModelShape shape() {
        ModelShape base = null;
        if (shape != null) {
            base = ModelShape.named(shape).orElseThrow(() -> new IllegalArgumentException("unknown shape '" + shape
                    + "'; known: " + String.join(", ", ModelShape.names())));
        } else if (dim == null || hidden == null || layers == null || heads == null) {
            throw new IllegalArgumentException("give --shape NAME, or all of --dim, --hidden, --layers and --heads");
        }
        int h = heads != null ? heads : base.heads();
        return new ModelShape(
                dim != null ? dim : base.dim(),
                hidden != null ? hidden : base.hiddenDim(),
                layers != null ? layers : base.layers(),
                h,
                kvHeads != null ? kvHeads : base != null && heads == null ? base.kvHeads() : h,
                context != null ? context : base != null ? base.contextLength() : 2048,
                ropeTheta != null ? ropeTheta : base != null ? base.ropeTheta() : 10000f,
                base != null ? base.rmsEps() : 1e-5f,
                tied != null ? tied : base != null && base.tiedEmbeddings());
    }

    private static TensorType tensorType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "q8_0" -> TensorType.Q8_0;
            case "q4_0" -> TensorType.Q4_0;
            case "f16" -> TensorType.F16;
            case "f32" -> TensorType.F32;
            default -> throw new IllegalArgumentException("unknown --type '" + name + "'; use q8_0, q4_0, f16 or f32");
        };
    }
}
