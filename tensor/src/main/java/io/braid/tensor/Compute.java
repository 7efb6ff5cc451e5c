package io.braid.tensor;

/**
 * The multi-threaded kernels of the engine: matrix multiplication against a (possibly quantized)
 * {@link Matrix}, and the dot/axpy used by attention. One instance owns a fixed pool of platform threads;
 * matmul calls are serialized (thread-safe, one at a time); dot, dots and axpy use no shared state and may
 * run concurrently. Close it to stop the threads.
 *
 * <p>In {@link Mode#DETERMINISTIC} every result is bit-identical across runs, thread counts, batch sizes and
 * compositions, and machines: each output is computed in the fixed order documented on {@link Reference}
 * (run.c's sequential order for float matrices, 16 FMA lanes and a fixed tree for quantized ones).
 * {@link Mode#FAST} uses FMA lanes for every type and the machine's own reductions.
 *
 * <p>Weight segments are read by the pool's threads: map or allocate them in a shared or global arena
 * (a confined arena's segment throws {@code WrongThreadException}).
 */
public final class Compute implements AutoCloseable {

    /** How results may vary. */
    public enum Mode {
        /** Bit-identical results everywhere (fixed reduction order and logical vector shape). */
        DETERMINISTIC,
        /** Whatever is fastest on this machine: results may differ in the last bits between machines. */
        FAST
    }

    private final int threads;
    private final Mode mode;
    private final WorkerPool pool;
    private final Kernels[] kernels;

    public Compute(int threads, Mode mode) {
        this(threads, mode, Kernels.X_CHUNK_BYTES);
    }

    /** For tests: a small {@code xChunkBytes} exercises the column-chunked path on small matrices. */
    Compute(int threads, Mode mode, int xChunkBytes) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.pool = new WorkerPool(threads);
        this.kernels = new Kernels[threads];
        for (int i = 0; i < threads; i++) {
            kernels[i] = new Kernels(mode == Mode.DETERMINISTIC, xChunkBytes);
        }
    }

    public int threads() {
        return threads;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * {@code out[b*rows + r] = dot(row r of w, x[b])} for {@code b < batch}, where x is
     * {@code [batch x w.cols()]} row-major and out is {@code [batch x w.rows()]}.
     */
    public void matmul(Matrix w, float[] x, int batch, float[] out) {
        matmul(w, x, 0, batch, out, 0);
    }

    /** {@link #matmul(Matrix, float[], int, float[])} reading x from {@code xOff} and writing out from {@code outOff}. */
    public void matmul(Matrix w, float[] x, int xOff, int batch, float[] out, int outOff) {
        int rows = w.rows(), cols = w.cols();
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (xOff < 0 || (long) xOff + (long) batch * cols > x.length) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, need " + batch + "x" + cols
                    + " from offset " + xOff);
        }
        if (outOff < 0 || (long) outOff + (long) batch * rows > out.length) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, need " + batch + "x" + rows
                    + " from offset " + outOff);
        }
        // About 4 chunks per thread, in whole 4-row tiles: enough to balance a late or slow thread.
        int tiles = (rows + Kernels.ROW_TILE - 1) / Kernels.ROW_TILE;
        int chunkTiles = Math.max(1, tiles / (threads * 4));
        int chunks = (tiles + chunkTiles - 1) / chunkTiles;
        pool.run(chunks, (participant, chunk) -> {
            int from = chunk * chunkTiles * Kernels.ROW_TILE;
            int to = Math.min(rows, from + chunkTiles * Kernels.ROW_TILE);
            kernels[participant].matmul(w, x, xOff, batch, out, outOff, from, to);
        });
    }

    /**
     * The dot product of {@code a[aOff..aOff+n)} and {@code b[bOff..bOff+n)}: in deterministic mode the
     * sequential sum of {@link Reference#dot} (run.c's order); in fast mode vector FMA.
     */
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return mode == Mode.DETERMINISTIC ? Kernels.dotDeterministic(a, aOff, b, bOff, n)
                : Kernels.dotFast(a, aOff, b, bOff, n);
    }

    /**
     * Attention scores: {@code out[outOff + t] = dot(q[qOff..qOff+n), keys[keysOff + t*stride..+n))} for
     * {@code t < count}, each bit-identical to {@link #dot} in this mode. Several times faster than calling
     * {@link #dot} per key in deterministic mode: 8 keys' sequential sums run as independent chains.
     */
    public void dots(float[] q, int qOff, float[] keys, int keysOff, int stride, int count, int n, float[] out, int outOff) {
        if (mode == Mode.DETERMINISTIC) {
            Kernels.dotsDeterministic(q, qOff, keys, keysOff, stride, count, n, out, outOff);
        } else {
            for (int t = 0; t < count; t++) {
                out[outOff + t] = Kernels.dotFast(q, qOff, keys, keysOff + t * stride, n);
            }
        }
    }

    /** {@code y[i] = y[i] + alpha * x[i]} (product rounded, then sum, as run.c): the same bits in both modes. */
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        Kernels.axpy(alpha, x, xOff, y, yOff, n);
    }

    /**
     * Runs {@code task.accept(i)} for every i in [0, n) on this instance's threads (each i on one thread,
     * whichever claims it first). For independent work such as attention heads: each i must write only its
     * own outputs, so results do not depend on the thread count; a task must not call {@link #matmul} or
     * {@code parallelFor} (calls on one instance are serialized). (Added by the engine engineer for
     * head-parallel attention.)
     */
    public void parallelFor(int n, java.util.function.IntConsumer task) {
        pool.run(n, (participant, i) -> task.accept(i));
    }

    @Override
    public void close() {
        pool.close();
    }
}
