package io.braid.tensor.bench;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * All weight matmuls of one TinyLlama-1.1B forward step (22 layers of q, k, v, o, gate, up, down, plus the
 * 32000-row head) on random weights, for {@code batch} tokens. One op = one decode step (batch 1) or one
 * prefill of {@code batch} tokens, so 1/time bounds the engine's tokens/s from above (attention and
 * element-wise ops excluded). Weights are random bytes with a fixed block scale: building 1.1 GB through
 * the quantizer would dominate the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
public class TinyLlamaMatmulsBench {
    static final int DIM = 2048, HIDDEN = 5632, KV_DIM = 256, LAYERS = 22, VOCAB = 32000;

    @Param({"Q8_0", "Q4_0"})
    public String type;
    @Param({"1", "64"})
    public int batch;
    @Param({"DETERMINISTIC", "FAST"})
    public String mode;
    @Param({"2"})
    public int threads;

    private Arena arena;
    private Compute compute;
    private Matrix[][] layers;
    private Matrix head;
    private float[] x, xh, out, outh, logits;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        compute = new Compute(threads, Compute.Mode.valueOf(mode));
        TensorType t = TensorType.valueOf(type);
        SplittableRandom rnd = new SplittableRandom(7);
        layers = new Matrix[LAYERS][];
        for (int l = 0; l < LAYERS; l++) {
            layers[l] = new Matrix[] {random(t, DIM, DIM, rnd), random(t, KV_DIM, DIM, rnd), random(t, KV_DIM, DIM, rnd),
                    random(t, DIM, DIM, rnd), random(t, HIDDEN, DIM, rnd), random(t, HIDDEN, DIM, rnd),
                    random(t, DIM, HIDDEN, rnd)};
        }
        head = random(t, VOCAB, DIM, rnd);
        x = new float[batch * DIM];
        xh = new float[batch * HIDDEN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < xh.length; i++) {
            xh[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        out = new float[batch * HIDDEN];
        outh = new float[batch * DIM];
        logits = new float[VOCAB];
    }

    private Matrix random(TensorType t, int rows, int cols, SplittableRandom rnd) {
        long bytes = t.byteSize((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        for (long i = 0; i + 8 <= bytes; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
        }
        short scale = Float.floatToFloat16(0.01f);
        for (long b = 0; b < bytes; b += t.blockBytes()) {
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, b, scale);
        }
        return Matrix.of(t, seg, rows, cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
        arena.close();
    }

    @Benchmark
    public float[] forward() {
        for (Matrix[] m : layers) {
            for (int i = 0; i < 6; i++) {
                compute.matmul(m[i], x, batch, out);
            }
            compute.matmul(m[6], xh, batch, outh);
        }
        // The head only runs for the last position of a prefill.
        compute.matmul(head, x, 1, logits);
        return logits;
    }
}
