package io.braid.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Forward with saved activations and backward of a Llama model over a flat parameter array
 * ({@link ParamLayout}): embedding, RMSNorm, causal grouped-query attention with interleaved RoPE, SwiGLU,
 * output head (tied or not) and mean cross-entropy.
 *
 * <p>A batch is split into a fixed number of <em>lanes</em> that depends only on the batch size (never on
 * the thread count): lane i takes sequences i, i+lanes, ... into its own gradient buffer, and the lane
 * buffers are summed in lane order. The result is therefore bit-identical for any number of threads.
 * Not safe for concurrent calls on one instance; use one instance per worker.
 */
public final class TrainModel implements AutoCloseable {

    /** Most lanes a batch is split into (bounds the memory of per-lane gradient buffers). */
    static final int MAX_LANES = 8;

    private final ModelShape shape;
    private final ParamLayout layout;
    private final float[] cos;
    private final float[] sin;
    private final int threads;
    private final ExecutorService pool;
    private final float[] wt; // transposed matrices of the current parameters (the forward reads Wᵀ row by row)
    private Workspace[] workspaces = new Workspace[0];
    private float[][] laneGrads = new float[0][];

    public TrainModel(ModelShape shape, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.shape = shape;
        this.layout = new ParamLayout(shape);
        this.threads = threads;
        this.wt = new float[layout.size()];
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("braid-train-", 0).factory()) : null;
        int half = shape.headSize() / 2;
        cos = new float[shape.seqLen() * half];
        sin = new float[shape.seqLen() * half];
        for (int pos = 0; pos < shape.seqLen(); pos++) {
            for (int j = 0; j < half; j++) {
                // As llama2.c run.c: freq = 1/theta^(2j/headSize) in float, angle = pos*freq.
                float freq = (float) (1.0 / Math.pow(shape.ropeTheta(), (2.0 * j) / shape.headSize()));
                float angle = pos * freq;
                cos[pos * half + j] = (float) Math.cos(angle);
                sin[pos * half + j] = (float) Math.sin(angle);
            }
        }
    }

    public ModelShape shape() {
        return shape;
    }

    public ParamLayout layout() {
        return layout;
    }

    /**
     * Mean next-token cross-entropy over every position of every sequence, and its gradient written to
     * {@code grad} (overwritten). Each sequence has T+1 tokens: inputs are [0,T), targets [1,T].
     */
    public double lossAndGradient(float[] params, int[][] sequences, float[] grad) {
        checkParams(params);
        if (grad.length != layout.size()) {
            throw new IllegalArgumentException("gradient has " + grad.length + " floats, model needs " + layout.size());
        }
        int rows = checkBatch(sequences);
        int lanes = Math.min(MAX_LANES, sequences.length);
        ensure(lanes, rows, true);
        float scale = 1f / ((float) sequences.length * rows);
        double[] laneLoss = new double[lanes];
        runLanes(lanes, lane -> {
            float[] g = laneGrads[lane];
            Arrays.fill(g, 0f);
            double loss = 0;
            for (int b = lane; b < sequences.length; b += lanes) {
                loss += workspaces[lane].forward(params, sequences[b], rows, true, scale);
                workspaces[lane].backward(params, sequences[b], rows, g);
            }
            laneLoss[lane] = loss;
        });
        System.arraycopy(laneGrads[0], 0, grad, 0, grad.length);
        for (int lane = 1; lane < lanes; lane++) {
            float[] g = laneGrads[lane];
            for (int i = 0; i < grad.length; i++) {
                grad[i] += g[i];
            }
        }
        double total = 0;
        for (double l : laneLoss) {
            total += l;
        }
        return total / ((double) sequences.length * rows);
    }

    /** Mean next-token cross-entropy (no gradient). */
    public double loss(float[] params, int[][] sequences) {
        checkParams(params);
        int rows = checkBatch(sequences);
        int lanes = Math.min(MAX_LANES, sequences.length);
        ensure(lanes, rows, false);
        double[] laneLoss = new double[lanes];
        runLanes(lanes, lane -> {
            double loss = 0;
            for (int b = lane; b < sequences.length; b += lanes) {
                loss += workspaces[lane].forward(params, sequences[b], rows, false, 1f);
            }
            laneLoss[lane] = loss;
        });
        double total = 0;
        for (double l : laneLoss) {
            total += l;
        }
        return total / ((double) sequences.length * rows);
    }

    /** Logits [tokens.length x vocab] for positions 0..n-1 (a fresh context), for checks against inference. */
    public float[] logits(float[] params, int[] tokens) {
        checkParams(params);
        int rows = tokens.length;
        if (rows < 1 || rows > shape.seqLen()) {
            throw new IllegalArgumentException("need 1.." + shape.seqLen() + " tokens, got " + rows);
        }
        checkTokens(tokens);
        ensure(1, rows, false);
        Workspace ws = workspaces[0];
        ws.forward(params, tokens, rows, false, 1f);
        return Arrays.copyOf(ws.logits, rows * shape.vocabSize());
    }

    private void checkParams(float[] params) {
        if (params.length != layout.size()) {
            throw new IllegalArgumentException("parameters have " + params.length + " floats, model needs " + layout.size());
        }
        Kernels.transposeMatrices(layout, params, wt);
    }

    private int checkBatch(int[][] sequences) {
        if (sequences.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int len = sequences[0].length;
        if (len < 2 || len - 1 > shape.seqLen()) {
            throw new IllegalArgumentException("sequences need 2.." + (shape.seqLen() + 1) + " tokens, got " + len);
        }
        for (int[] s : sequences) {
            if (s.length != len) {
                throw new IllegalArgumentException("all sequences of a batch must have the same length: " + len + " vs " + s.length);
            }
            checkTokens(s);
        }
        return len - 1;
    }

    private void checkTokens(int[] s) {
        for (int tok : s) {
            if (tok < 0 || tok >= shape.vocabSize()) {
                throw new IllegalArgumentException("token id " + tok + " outside the vocabulary [0," + shape.vocabSize() + ")");
            }
        }
    }

    private void ensure(int lanes, int rows, boolean withGrads) {
        if (workspaces.length < lanes) {
            workspaces = Arrays.copyOf(workspaces, lanes);
        }
        for (int i = 0; i < lanes; i++) {
            if (workspaces[i] == null || workspaces[i].rows != rows) {
                workspaces[i] = new Workspace(rows);
            }
        }
        if (withGrads && laneGrads.length < lanes) {
            float[][] g = Arrays.copyOf(laneGrads, lanes);
            for (int i = laneGrads.length; i < lanes; i++) {
                g[i] = new float[layout.size()];
            }
            laneGrads = g;
        }
    }

    private interface LaneTask {
        void run(int lane);
    }

    private void runLanes(int lanes, LaneTask task) {
        if (pool == null || lanes == 1) {
            for (int i = 0; i < lanes; i++) {
                task.run(i);
            }
            return;
        }
        List<Callable<Void>> jobs = new ArrayList<>(lanes);
        for (int i = 0; i < lanes; i++) {
            int lane = i;
            jobs.add(() -> {
                task.run(lane);
                return null;
            });
        }
        try {
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training step interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    public int threads() {
        return threads;
    }

    /** Saved activations and scratch of one sequence of {@code rows} positions. */
    private final class Workspace {
        final int rows;
        final float[][] xs;      // residual input of each layer, and the final residual at [nLayers]
        final float[][] xn1;
        final float[][] inv1;
        final float[][] q;
        final float[][] k;
        final float[][] v;
        final float[][] p;
        final float[][] ao;
        final float[][] xmid;
        final float[][] xn2;
        final float[][] inv2;
        final float[][] gate;
        final float[][] up;
        final float[][] act;
        final float[] xf;
        final float[] invf;
        final float[] logits;
        // backward scratch
        final float[] dx;
        final float[] dxn;
        final float[] dq;
        final float[] dk;
        final float[] dv;
        final float[] dao;
        final float[] dact;
        final float[] dgate;
        final float[] dup;
        final float[] scratch;

        Workspace(int rows) {
            this.rows = rows;
            int l = shape.nLayers();
            int d = shape.dim();
            int kv = shape.kvDim();
            int h = shape.hiddenDim();
            xs = new float[l + 1][rows * d];
            xn1 = new float[l][rows * d];
            inv1 = new float[l][rows];
            q = new float[l][rows * d];
            k = new float[l][rows * kv];
            v = new float[l][rows * kv];
            p = new float[l][shape.nHeads() * rows * rows];
            ao = new float[l][rows * d];
            xmid = new float[l][rows * d];
            xn2 = new float[l][rows * d];
            inv2 = new float[l][rows];
            gate = new float[l][rows * h];
            up = new float[l][rows * h];
            act = new float[l][rows * h];
            xf = new float[rows * d];
            invf = new float[rows];
            logits = new float[rows * shape.vocabSize()];
            dx = new float[rows * d];
            dxn = new float[rows * d];
            dq = new float[rows * d];
            dk = new float[rows * kv];
            dv = new float[rows * kv];
            dao = new float[rows * d];
            dact = new float[rows * h];
            dgate = new float[rows * h];
            dup = new float[rows * h];
            scratch = new float[rows];
        }

        /**
         * Runs the model on seq[0..rows) and returns the summed cross-entropy against seq[1..rows]. With
         * {@code forGradient}, logits are replaced by the loss gradient (scaled by {@code scale}).
         */
        double forward(float[] w, int[] seq, int rows, boolean forGradient, float scale) {
            ParamLayout lay = layout;
            int d = shape.dim();
            int kvd = shape.kvDim();
            int hd = shape.hiddenDim();
            int hs = shape.headSize();
            float eps = shape.normEps();
            float[] x = xs[0];
            for (int t = 0; t < rows; t++) {
                System.arraycopy(w, lay.embd + seq[t] * d, x, t * d, d);
            }
            for (int l = 0; l < shape.nLayers(); l++) {
                float[] xin = xs[l];
                TrainOps.rmsnormForward(xn1[l], inv1[l], xin, w, lay.attnNorm[l], rows, d, eps);
                Kernels.linear(q[l], 0, xn1[l], 0, wt, lay.wq[l], rows, d, d);
                Kernels.linear(k[l], 0, xn1[l], 0, wt, lay.wk[l], rows, d, kvd);
                Kernels.linear(v[l], 0, xn1[l], 0, wt, lay.wv[l], rows, d, kvd);
                TrainOps.ropeForward(q[l], rows, shape.nHeads(), hs, cos, sin);
                TrainOps.ropeForward(k[l], rows, shape.nKvHeads(), hs, cos, sin);
                TrainOps.attentionForward(ao[l], p[l], q[l], k[l], v[l], rows, shape.nHeads(), shape.nKvHeads(), hs);
                float[] xm = xmid[l];
                Kernels.linear(xm, 0, ao[l], 0, wt, lay.wo[l], rows, d, d);
                for (int i = 0; i < rows * d; i++) {
                    xm[i] += xin[i];
                }
                TrainOps.rmsnormForward(xn2[l], inv2[l], xm, w, lay.ffnNorm[l], rows, d, eps);
                Kernels.linear(gate[l], 0, xn2[l], 0, wt, lay.wGate[l], rows, d, hd);
                Kernels.linear(up[l], 0, xn2[l], 0, wt, lay.wUp[l], rows, d, hd);
                TrainOps.swigluForward(act[l], gate[l], up[l], rows * hd);
                float[] xout = xs[l + 1];
                Kernels.linear(xout, 0, act[l], 0, wt, lay.wDown[l], rows, hd, d);
                for (int i = 0; i < rows * d; i++) {
                    xout[i] += xm[i];
                }
            }
            TrainOps.rmsnormForward(xf, invf, xs[shape.nLayers()], w, lay.outNorm, rows, d, eps);
            Kernels.linear(logits, 0, xf, 0, wt, lay.output, rows, d, shape.vocabSize());
            if (seq.length <= rows) {
                return 0; // logits only (no targets)
            }
            if (!forGradient) {
                float[] copy = scratchLogits();
                System.arraycopy(logits, 0, copy, 0, rows * shape.vocabSize());
                return TrainOps.crossEntropy(copy, seq, 1, rows, shape.vocabSize(), 1f);
            }
            return TrainOps.crossEntropy(logits, seq, 1, rows, shape.vocabSize(), scale);
        }

        private float[] lossScratch;

        private float[] scratchLogits() {
            if (lossScratch == null) {
                lossScratch = new float[logits.length];
            }
            return lossScratch;
        }

        /** Accumulates the gradient of the last {@link #forward} (run with forGradient) into g. */
        void backward(float[] w, int[] seq, int rows, float[] g) {
            ParamLayout lay = layout;
            int d = shape.dim();
            int kvd = shape.kvDim();
            int hd = shape.hiddenDim();
            int hs = shape.headSize();
            int vocab = shape.vocabSize();
            // head: logits = W_out · xf
            Arrays.fill(dxn, 0f);
            Kernels.linearBackwardInput(dxn, 0, logits, 0, w, lay.output, rows, d, vocab);
            Kernels.linearBackwardWeight(g, lay.output, logits, 0, xf, 0, rows, d, vocab);
            Arrays.fill(dx, 0f);
            TrainOps.rmsnormBackward(dx, g, lay.outNorm, dxn, xs[shape.nLayers()], invf, w, lay.outNorm, rows, d);
            for (int l = shape.nLayers() - 1; l >= 0; l--) {
                // FFN branch: dx is the gradient at the layer output = at xmid (residual) plus through the FFN.
                Arrays.fill(dact, 0f);
                Kernels.linearBackwardInput(dact, 0, dx, 0, w, lay.wDown[l], rows, hd, d);
                Kernels.linearBackwardWeight(g, lay.wDown[l], dx, 0, act[l], 0, rows, hd, d);
                TrainOps.swigluBackward(dgate, dup, dact, gate[l], up[l], rows * hd);
                Arrays.fill(dxn, 0f);
                Kernels.linearBackwardInput(dxn, 0, dgate, 0, w, lay.wGate[l], rows, d, hd);
                Kernels.linearBackwardInput(dxn, 0, dup, 0, w, lay.wUp[l], rows, d, hd);
                Kernels.linearBackwardWeight(g, lay.wGate[l], dgate, 0, xn2[l], 0, rows, d, hd);
                Kernels.linearBackwardWeight(g, lay.wUp[l], dup, 0, xn2[l], 0, rows, d, hd);
                TrainOps.rmsnormBackward(dx, g, lay.ffnNorm[l], dxn, xmid[l], inv2[l], w, lay.ffnNorm[l], rows, d);
                // attention branch: dx is now the gradient at xmid.
                Arrays.fill(dao, 0f);
                Kernels.linearBackwardInput(dao, 0, dx, 0, w, lay.wo[l], rows, d, d);
                Kernels.linearBackwardWeight(g, lay.wo[l], dx, 0, ao[l], 0, rows, d, d);
                Arrays.fill(dq, 0f);
                Arrays.fill(dk, 0f);
                Arrays.fill(dv, 0f);
                TrainOps.attentionBackward(dq, dk, dv, dao, p[l], q[l], k[l], v[l], rows, shape.nHeads(), shape.nKvHeads(), hs, scratch);
                TrainOps.ropeBackward(dq, rows, shape.nHeads(), hs, cos, sin);
                TrainOps.ropeBackward(dk, rows, shape.nKvHeads(), hs, cos, sin);
                Arrays.fill(dxn, 0f);
                Kernels.linearBackwardInput(dxn, 0, dq, 0, w, lay.wq[l], rows, d, d);
                Kernels.linearBackwardInput(dxn, 0, dk, 0, w, lay.wk[l], rows, d, kvd);
                Kernels.linearBackwardInput(dxn, 0, dv, 0, w, lay.wv[l], rows, d, kvd);
                Kernels.linearBackwardWeight(g, lay.wq[l], dq, 0, xn1[l], 0, rows, d, d);
                Kernels.linearBackwardWeight(g, lay.wk[l], dk, 0, xn1[l], 0, rows, d, kvd);
                Kernels.linearBackwardWeight(g, lay.wv[l], dv, 0, xn1[l], 0, rows, d, kvd);
                TrainOps.rmsnormBackward(dx, g, lay.attnNorm[l], dxn, xs[l], inv1[l], w, lay.attnNorm[l], rows, d);
            }
            for (int t = 0; t < rows; t++) {
                Kernels.axpy(1f, dx, t * d, g, lay.embd + seq[t] * d, d);
            }
        }
    }
}
