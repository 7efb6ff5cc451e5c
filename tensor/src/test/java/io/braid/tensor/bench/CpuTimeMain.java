package io.braid.tensor.bench;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Single-thread matmul throughput measured in the thread's CPU time rather than wall time, so that it
 * stays meaningful on a machine shared with other jobs (JMH's wall-clock numbers do not).
 * Usage: {@code CpuTimeMain TYPE BATCH ROWS COLS [DETERMINISTIC|FAST]}; prints GB/s of weights and GFLOP/s
 * per core for a few repetitions. Weights larger than the L3 (use 4 copies of 5632x2048) stream from DRAM.
 */
public final class CpuTimeMain {
    private CpuTimeMain() {
    }

    public static void main(String[] args) {
        TensorType t = TensorType.valueOf(args[0]);
        int batch = Integer.parseInt(args[1]);
        int rows = Integer.parseInt(args[2]);
        int cols = Integer.parseInt(args[3]);
        Compute.Mode mode = args.length > 4 ? Compute.Mode.valueOf(args[4]) : Compute.Mode.DETERMINISTIC;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SplittableRandom rnd = new SplittableRandom(1);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        long bytes = t.byteSize((long) rows * cols);
        int copies = (int) Math.max(1, Math.min(8, 64L * 1024 * 1024 / bytes)); // > 32 MB L3 in total when large
        if (bytes * copies < 48L * 1024 * 1024 && bytes > 4L * 1024 * 1024) {
            copies = (int) (48L * 1024 * 1024 / bytes) + 1;
        }
        try (Arena arena = Arena.ofShared(); Compute c = new Compute(1, mode)) {
            Matrix[] ws = new Matrix[copies];
            for (int i = 0; i < copies; i++) {
                ws[i] = Matrix.quantize(t, v, rows, cols, arena);
            }
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            float[] out = new float[batch * rows];
            double flop = 2.0 * rows * cols * batch;
            int n = (int) Math.max(3, 2e9 / flop);
            for (int rep = 0; rep < 6; rep++) {
                long c0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) {
                    c.matmul(ws[i % copies], x, batch, out);
                }
                double ns = (double) (mx.getCurrentThreadCpuTime() - c0) / n;
                System.out.printf("%s %s batch=%d %dx%d: %.1f us cpu, %.2f GB/s, %.2f GFLOP/s per core%n", t, mode, batch,
                        rows, cols, ns / 1e3, bytes / ns, flop / ns);
            }
        }
    }
}
