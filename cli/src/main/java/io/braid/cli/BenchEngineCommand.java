package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.llama.Embedding;
import io.braid.model.llama.Head;
import io.braid.model.llama.KvCache;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Sampler;
import io.braid.model.llama.Span;
import io.braid.tensor.Compute;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code braid bench engine}: single-process prefill and decode speed. Prefill runs the whole prompt as one batch
 * through the span (the batched matmul path); decode runs one row at a time (the matrix-vector path). Reports the
 * median of several runs after one warm-up, and the memory bandwidth decode achieved (weight bytes per token x tok/s).
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s of the in-process engine on a model file.")
public final class BenchEngineCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "GGUF file or llama2.c checkpoint")
    Path model;

    @Mixin
    ComputeOptions computeOptions;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "prefill batch size (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--decode-tokens", defaultValue = "32", description = "tokens decoded per run (default: ${DEFAULT-VALUE})")
    int decodeTokens;

    @Option(names = "--runs", defaultValue = "5", description = "measured runs after one warm-up (default: ${DEFAULT-VALUE})")
    int runs;

    @Override
    public Integer call() {
        try {
            if (promptTokens < 1 || decodeTokens < 1 || runs < 1) {
                throw new IllegalArgumentException("--prompt-tokens, --decode-tokens and --runs must be at least 1");
            }
            return bench();
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("braid bench engine: " + e.getMessage());
            return 1;
        }
    }

    private int bench() {
        Compute.Mode computeMode = computeOptions.mode();
        int nThreads = computeOptions.threads();
        try (LlamaModel m = LlamaModel.open(model); Compute compute = new Compute(nThreads, computeMode)) {
            LlamaConfig c = m.config();
            int length = promptTokens + decodeTokens;
            if (length > c.contextLength()) {
                throw new IllegalArgumentException("--prompt-tokens + --decode-tokens = " + length
                        + " exceeds the model's context of " + c.contextLength());
            }
            Span span = m.span(0, c.layers());
            Embedding embedding = m.embedding();
            Head head = m.head();
            int[] prompt = new Random(42).ints(promptTokens, 0, c.vocabSize()).toArray();
            KvCache cache = span.newCache(length);
            double[] prefill = new double[runs];
            double[] decode = new double[runs];
            System.out.printf(Locale.ROOT, "model %s: %s, %d layers, dim %d, %d threads, %s mode%n", model,
                    c.architecture(), c.layers(), c.dim(), nThreads, computeMode.name().toLowerCase(Locale.ROOT));
            for (int r = -1; r < runs; r++) {
                cache.truncate(0);
                double[] t = run(compute, span, embedding, head, cache, prompt);
                if (r >= 0) {
                    prefill[r] = t[0];
                    decode[r] = t[1];
                }
            }
            long bytesPerToken = span.weightBytes() + head.weightBytes();
            double decodeMedian = median(decode);
            System.out.printf(Locale.ROOT, "prefill  %8.2f tok/s  (median of %d; %d-token batch; min %.2f max %.2f)%n",
                    median(prefill), runs, promptTokens, min(prefill), max(prefill));
            System.out.printf(Locale.ROOT, "decode   %8.2f tok/s  (median of %d; %d tokens after the prompt; min %.2f max %.2f)%n",
                    decodeMedian, runs, decodeTokens, min(decode), max(decode));
            System.out.printf(Locale.ROOT, "bandwidth %7.2f GB/s  (decode: %.1f MB of weights read per token)%n",
                    bytesPerToken * decodeMedian / 1e9, bytesPerToken / 1e6);
            return 0;
        }
    }

    /** One prefill batch then {@code decodeTokens} greedy steps; returns {prefill tok/s, decode tok/s}. */
    private double[] run(Compute compute, Span span, Embedding embedding, Head head, KvCache cache, int[] prompt) {
        int n = prompt.length;
        int dim = embedding.dim();
        float[] logits = new float[head.vocabSize()];
        int[] positions = new int[n];
        KvCache[] caches = new KvCache[n];
        Arrays.fill(caches, cache);
        for (int i = 0; i < n; i++) {
            positions[i] = i;
        }
        long t0 = System.nanoTime();
        float[] x = embedding.lookup(prompt);
        span.forward(compute, x, n, positions, caches);
        head.logits(compute, Arrays.copyOfRange(x, (n - 1) * dim, n * dim), 1, logits);
        int next = Sampler.argmax(logits, 0, logits.length);
        long t1 = System.nanoTime();
        float[] row = new float[dim];
        int[] pos = new int[1];
        KvCache[] one = {cache};
        for (int i = 0; i < decodeTokens; i++) {
            embedding.lookup(next, row, 0);
            pos[0] = n + i;
            span.forward(compute, row, 1, pos, one);
            head.logits(compute, row, 1, logits);
            next = Sampler.argmax(logits, 0, logits.length);
        }
        long t2 = System.nanoTime();
        return new double[]{n / ((t1 - t0) / 1e9), decodeTokens / ((t2 - t1) / 1e9)};
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
