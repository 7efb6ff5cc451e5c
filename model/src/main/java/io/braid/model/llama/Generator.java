package io.braid.model.llama;

import io.braid.tensor.Compute;

import java.util.Arrays;

/**
 * The one generation loop, shared by {@code braid generate} and the gateway: embed, run the layers through a
 * pluggable {@link SpanChain}, head, sample. Semantics follow llama2.c's run.c: {@code steps} counts positions
 * including the prompt, prompt tokens are forced, and generation stops early when the model samples BOS (or EOS).
 * The prompt is processed as one batch (the batched matmul path); each later token is a batch of one.
 */
public final class Generator {

    private final Embedding embedding;
    private final Head head;
    private final Compute compute;
    private final int bos;
    private final int eos;

    /** A generator whose stop tokens are {@code bos} and {@code eos} (use -1 for "none"). */
    public Generator(Embedding embedding, Head head, Compute compute, int bos, int eos) {
        this.embedding = embedding;
        this.head = head;
        this.compute = compute;
        this.bos = bos;
        this.eos = eos;
    }

    /**
     * Generates for one session.
     *
     * @param chain   the session's layers (fresh: its caches empty)
     * @param prompt  prompt ids starting with BOS (at least one token)
     * @param steps   positions to run, prompt included (run.c's {@code -n}); must be at most the chain's capacity
     * @param sampler the session's sampler
     * @param listener receives each token after BOS as it is decided
     */
    public Generation generate(SpanChain chain, int[] prompt, int steps, Sampler sampler, TokenListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (BOS)");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        int dim = embedding.dim();
        int vocab = head.vocabSize();
        int[] tokens = new int[steps];
        int count = 0;
        long start = System.nanoTime();

        int m = Math.min(prompt.length, steps);
        float[] x = embedding.lookup(Arrays.copyOf(prompt, m));
        chain.forward(x, m, 0);
        for (int i = 1; i <= Math.min(m, prompt.length - 1); i++) {
            tokens[count++] = prompt[i];
            if (!listener.onToken(i, prompt[i], true)) {
                return result(tokens, count, count, Generation.Stop.LISTENER, start, System.nanoTime(), 0);
            }
        }
        if (m < prompt.length) {
            return result(tokens, count, count, Generation.Stop.STEPS, start, System.nanoTime(), 0);
        }
        float[] logits = new float[vocab];
        float[] last = Arrays.copyOfRange(x, (m - 1) * dim, m * dim);
        head.logits(compute, last, 1, logits);
        int next = sampler.sample(logits, 0, vocab);
        long prefillEnd = System.nanoTime();
        int promptCount = count;

        float[] row = new float[dim];
        int decodeSteps = 0;
        for (int pos = m; ; pos++) {
            if (next == bos || next == eos) {
                return result(tokens, count, promptCount, next == bos ? Generation.Stop.BOS : Generation.Stop.EOS,
                        start, prefillEnd, decodeSteps);
            }
            tokens[count++] = next;
            if (!listener.onToken(pos, next, false)) {
                return result(tokens, count, promptCount, Generation.Stop.LISTENER, start, prefillEnd, decodeSteps);
            }
            if (pos >= steps) {
                return result(tokens, count, promptCount, Generation.Stop.STEPS, start, prefillEnd, decodeSteps);
            }
            embedding.lookup(next, row, 0);
            chain.forward(row, 1, pos);
            head.logits(compute, row, 1, logits);
            next = sampler.sample(logits, 0, vocab);
            decodeSteps++;
        }
    }

    private static Generation result(int[] tokens, int count, int promptCount, Generation.Stop stop, long start,
                                     long prefillEnd, int decodeSteps) {
        long now = System.nanoTime();
        return new Generation(Arrays.copyOf(tokens, count), promptCount, stop, prefillEnd - start, now - prefillEnd,
                decodeSteps);
    }
}
