package io.braid.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Where each tensor of a model lives inside one flat {@code float[]} of parameters. A single flat array
 * makes the optimizer, pseudo-gradients and codecs plain loops over one buffer. Tensors are named as in
 * GGUF ({@code blk.N.attn_q.weight} ...) and stored row-major [rows x cols] with cols the input dimension.
 */
public final class ParamLayout {

    /** One tensor: {@code rows == 1} for a norm vector. */
    public record Slot(String name, int offset, int rows, int cols) {
        public int size() {
            return rows * cols;
        }

        /** Matrices get weight decay; norm gains do not. */
        public boolean isMatrix() {
            return rows > 1;
        }
    }

    private final ModelShape shape;
    private final List<Slot> slots;
    private final Map<String, Slot> byName;
    private final int size;
    final int embd;
    final int outNorm;
    final int output;
    final int[] attnNorm;
    final int[] wq;
    final int[] wk;
    final int[] wv;
    final int[] wo;
    final int[] ffnNorm;
    final int[] wGate;
    final int[] wDown;
    final int[] wUp;

    public ParamLayout(ModelShape shape) {
        this.shape = shape;
        int l = shape.nLayers();
        attnNorm = new int[l];
        wq = new int[l];
        wk = new int[l];
        wv = new int[l];
        wo = new int[l];
        ffnNorm = new int[l];
        wGate = new int[l];
        wDown = new int[l];
        wUp = new int[l];
        List<Slot> list = new ArrayList<>();
        int[] at = {0};
        int d = shape.dim();
        int kv = shape.kvDim();
        int h = shape.hiddenDim();
        embd = add(list, at, "token_embd.weight", shape.vocabSize(), d);
        for (int i = 0; i < l; i++) {
            attnNorm[i] = add(list, at, "blk." + i + ".attn_norm.weight", 1, d);
            wq[i] = add(list, at, "blk." + i + ".attn_q.weight", d, d);
            wk[i] = add(list, at, "blk." + i + ".attn_k.weight", kv, d);
            wv[i] = add(list, at, "blk." + i + ".attn_v.weight", kv, d);
            wo[i] = add(list, at, "blk." + i + ".attn_output.weight", d, d);
            ffnNorm[i] = add(list, at, "blk." + i + ".ffn_norm.weight", 1, d);
            wGate[i] = add(list, at, "blk." + i + ".ffn_gate.weight", h, d);
            wDown[i] = add(list, at, "blk." + i + ".ffn_down.weight", d, h);
            wUp[i] = add(list, at, "blk." + i + ".ffn_up.weight", h, d);
        }
        outNorm = add(list, at, "output_norm.weight", 1, d);
        output = shape.tiedEmbeddings() ? embd : add(list, at, "output.weight", shape.vocabSize(), d);
        this.slots = Collections.unmodifiableList(list);
        Map<String, Slot> m = new LinkedHashMap<>();
        for (Slot s : list) {
            m.put(s.name(), s);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.size = at[0];
    }

    private static int add(List<Slot> list, int[] at, String name, int rows, int cols) {
        long end = (long) at[0] + (long) rows * cols;
        if (end > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("model too large to train in one float[]: " + end + " parameters");
        }
        int off = at[0];
        list.add(new Slot(name, off, rows, cols));
        at[0] = (int) end;
        return off;
    }

    public ModelShape shape() {
        return shape;
    }

    /** Total number of parameters. */
    public int size() {
        return size;
    }

    /** Tensors in storage order. */
    public List<Slot> slots() {
        return slots;
    }

    public Slot slot(String name) {
        Slot s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no tensor named " + name + " in this model shape");
        }
        return s;
    }

    /**
     * Fresh weights: norm gains 1, matrices N(0, 0.02) with the residual projections (attn_output, ffn_down)
     * scaled by 1/sqrt(2·layers) as in GPT-2, so the residual stream does not grow with depth.
     */
    public float[] initialize(long seed) {
        float[] p = new float[size];
        Random rnd = new Random(seed);
        double residualStd = 0.02 / Math.sqrt(2.0 * shape.nLayers());
        for (Slot s : slots) {
            boolean residual = s.name().endsWith("attn_output.weight") || s.name().endsWith("ffn_down.weight");
            double std = residual ? residualStd : 0.02;
            for (int i = 0; i < s.size(); i++) {
                p[s.offset() + i] = s.isMatrix() ? (float) (rnd.nextGaussian() * std) : 1f;
            }
        }
        return p;
    }
}
