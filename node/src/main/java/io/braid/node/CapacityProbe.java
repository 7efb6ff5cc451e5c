package io.braid.node;

import io.braid.protocol.v1.Capacity;
import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;

/**
 * Measures what a node can do, once at start: FLOP/s of its own kernels (a short batch-1 Q8_0 matmul,
 * the decode path), memory bandwidth (streaming sum over a 64 MiB array) and free RAM. Takes ~0.35 s.
 */
public final class CapacityProbe {
    private CapacityProbe() {}

    public static Capacity measure(Compute compute, long kvBudgetBytes) {
        return Capacity.newBuilder().setFlops(flops(compute)).setMemoryBandwidth(bandwidth())
                .setFreeRamBytes(freeRam()).setThreads(compute.threads()).setKvBudgetBytes(kvBudgetBytes).build();
    }

    static double flops(Compute compute) {
        int rows = 1024, cols = 1024;
        float[] w = new float[rows * cols];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        java.nio.file.Path file = null;
        try (Arena arena = Arena.ofShared()) { // shared: the compute pool's threads read it
            // Probe a file-mapped matrix, like the model's weights: warming the kernel on a second kind of segment
            // makes its call sites bimorphic, and the larger C2 graph can then leave the decode kernel's vector
            // conversions un-inlined for good in this process (several times slower decode).
            Matrix q = Matrix.quantize(TensorType.Q8_0, w, rows, cols, arena);
            file = java.nio.file.Files.createTempFile("braid-probe", ".q8");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(q.data().asByteBuffer(), 0);
            }
            MemorySegment mapped;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, q.data().byteSize(), arena);
            }
            Matrix m = Matrix.of(TensorType.Q8_0, mapped, rows, cols);
            float[] x = new float[cols], out = new float[rows];
            for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
            long warm = System.nanoTime();
            while (System.nanoTime() - warm < 100_000_000L) compute.matmul(m, x, 1, out); // let the JIT compile the kernel
            // best of three 50 ms windows: other processes on the machine only ever make a window slower
            double best = 0;
            for (int window = 0; window < 3; window++) {
                long start = System.nanoTime();
                int iters = 0;
                while (System.nanoTime() - start < 50_000_000L) {
                    compute.matmul(m, x, 1, out);
                    iters++;
                }
                best = Math.max(best, 2.0 * rows * cols * iters / ((System.nanoTime() - start) / 1e9));
            }
            return best;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the capacity probe's temporary file: " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    static double bandwidth() {
        long[] a = new long[8 << 20]; // 64 MiB
        java.util.Arrays.fill(a, 1L);
        long sum = 0;
        long start = System.nanoTime();
        int passes = 0;
        while (System.nanoTime() - start < 100_000_000L) {
            for (long v : a) sum += v;
            passes++;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (sum == 42) System.out.print(""); // keep the loop alive
        return 8.0 * a.length * passes / secs;
    }

    static long freeRam() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getFreeMemorySize();
        return Runtime.getRuntime().maxMemory();
    }
}
