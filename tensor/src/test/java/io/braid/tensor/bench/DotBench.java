package io.braid.tensor.bench;

import io.braid.tensor.Compute;
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

/** Attention-sized dot products and axpy: the cost of deterministic (sequential) against fast (vector FMA). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DotBench {
    @Param({"64", "2048"})
    public int n;
    @Param({"DETERMINISTIC", "FAST"})
    public String mode;

    private Compute compute;
    private float[] a, b;

    @Setup(Level.Trial)
    public void setup() {
        compute = new Compute(1, Compute.Mode.valueOf(mode));
        SplittableRandom rnd = new SplittableRandom(3);
        a = new float[n];
        b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextDouble();
            b[i] = (float) rnd.nextDouble();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        compute.close();
    }

    @Benchmark
    public float dot() {
        return compute.dot(a, 0, b, 0, n);
    }

    @Benchmark
    public float[] axpy() {
        compute.axpy(1e-3f, a, 0, b, 0, n);
        return b;
    }
}
