package io.braid.tensor.bench;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matmul throughput on TinyLlama-1.1B's FFN shape (5632 x 2048), enough weight bytes (23 MB as F32, 12 MB
 * as Q8_0) to stream from memory as in decode. Batch 1 is the decode path (report GB/s of weights),
 * batch 8..64 the prefill path (report GFLOP/s = 2*rows*cols*batch / time). {@link BenchMain} prints both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MatmulBench {
    @Param({"Q8_0", "Q4_0", "F32"})
    public String type;
    @Param({"1", "8", "64"})
    public int batch;
    @Param({"DETERMINISTIC", "FAST"})
    public String mode;
    @Param({"2"})
    public int threads;
    @Param({"5632"})
    public int rows;
    @Param({"2048"})
    public int cols;

    private Arena arena;
    private Compute compute;
    private Matrix[] weights;
    private int next;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        compute = new Compute(threads, Compute.Mode.valueOf(mode));
        SplittableRandom rnd = new SplittableRandom(42);
        // Several matrices, cycled, so that batch 1 streams from DRAM rather than from the 32 MB L3.
        int copies = 4;
        weights = new Matrix[copies];
        float[] v = new float[rows * cols];
        for (int c = 0; c < copies; c++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            weights[c] = Matrix.quantize(TensorType.valueOf(type), v, rows, cols, arena);
        }
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        out = new float[batch * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        Matrix w = weights[next];
        next = (next + 1) % weights.length;
        compute.matmul(w, x, batch, out);
        return out;
    }
}
