package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.model.llama.Embedding;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random tasks on a span: a session's prefill or one of its decode steps, inputs = embeddings of random tokens. */
final class Workload {

    /** One task as the gateway sees it before routing. */
    record Task(Hash32 id, byte[] nonce, List<float[]> history, float[] input, int firstPosition) {
    }

    private final Embedding embedding;
    private final int vocab;
    private final int dim;
    private final SplittableRandom rnd;
    private final int maxPrompt;
    private final int maxDecode;
    private long next;

    Workload(Embedding embedding, int vocab, int dim, long seed) {
        this(embedding, vocab, dim, seed, 12, 3);
    }

    /** Sessions of 1..maxPrompt prompt rows and 0..maxDecode decode steps. */
    Workload(Embedding embedding, int vocab, int dim, long seed, int maxPrompt, int maxDecode) {
        this.maxPrompt = maxPrompt;
        this.maxDecode = maxDecode;
        this.embedding = embedding;
        this.vocab = vocab;
        this.dim = dim;
        this.rnd = new SplittableRandom(seed);
    }

    Task next() {
        int prompt = 1 + rnd.nextInt(maxPrompt);
        int decode = rnd.nextInt(maxDecode + 1);
        int which = rnd.nextInt(decode + 1); // 0 = prefill, k = k-th decode step
        List<float[]> history = new ArrayList<>();
        float[] prefill = rows(prompt);
        if (which == 0) return task(history, prefill, 0);
        history.add(prefill);
        int pos = prompt;
        for (int k = 1; k < which; k++) {
            history.add(rows(1));
            pos++;
        }
        return task(history, rows(1), pos);
    }

    private Task task(List<float[]> history, float[] input, int first) {
        long n = next++;
        byte[] nonce = new byte[16];
        rnd.nextBytes(nonce);
        return new Task(Hashes.sha256(("task-" + n + "-" + rnd.nextLong()).getBytes()), nonce, history, input, first);
    }

    private float[] rows(int n) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = rnd.nextInt(vocab);
        float[] x = embedding.lookup(tokens);
        if (x.length != n * dim) throw new IllegalStateException("embedding gave " + x.length + " values for " + n + " tokens");
        return x;
    }
}
