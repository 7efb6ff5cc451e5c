package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ComputeTest {
    private static final Arena ARENA = Arena.ofShared();
    private static final Compute[] DET = {new Compute(1, Compute.Mode.DETERMINISTIC),
            new Compute(2, Compute.Mode.DETERMINISTIC), new Compute(3, Compute.Mode.DETERMINISTIC),
            new Compute(2, Compute.Mode.DETERMINISTIC, 3000)}; // the last one splits columns into many chunks
    private static final Compute FAST = new Compute(2, Compute.Mode.FAST);

    @AfterAll
    static void close() {
        for (Compute c : DET) {
            c.close();
        }
        FAST.close();
    }

    static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    static Matrix random(TensorType t, int rows, int cols, long seed) {
        return Matrix.quantize(t, gaussian(new Random(seed), rows * cols), rows, cols, ARENA);
    }

    /** Shapes with odd row counts, rows not a multiple of tiles or threads, and columns spanning several chunks. */
    private static final int[][] SHAPES = {{1, 32}, {3, 64}, {5, 96}, {37, 160}, {67, 1056}, {9, 2080}};
    private static final int[] BATCHES = {1, 3, 4, 7, 9};

    @Test
    void deterministicMatmulEqualsTheReferenceBitForBitForAllTypesShapesThreadsAndBatches() {
        for (TensorType t : TensorType.values()) {
            for (int[] shape : SHAPES) {
                Matrix w = random(t, shape[0], shape[1], 11L * shape[0] + shape[1]);
                for (int batch : BATCHES) {
                    float[] x = gaussian(new Random(batch), batch * w.cols());
                    float[] expected = new float[batch * w.rows()];
                    Reference.matmul(w, x, batch, expected);
                    for (Compute c : DET) {
                        float[] out = new float[batch * w.rows()];
                        c.matmul(w, x, batch, out);
                        assertThat(out).as("%s %dx%d batch %d threads %d", t, w.rows(), w.cols(), batch, c.threads())
                                .containsExactly(expected);
                    }
                }
            }
        }
    }

    @Test
    void floatMatricesFollowRunCsSequentialOrderExactly() {
        for (TensorType t : new TensorType[] {TensorType.F32, TensorType.F16, TensorType.BF16}) {
            Matrix w = random(t, 21, 4100, 15); // more columns than one sequential chunk
            float[] x = gaussian(new Random(16), 5 * 4100);
            for (Compute c : DET) {
                float[] out = new float[5 * 21];
                c.matmul(w, x, 5, out);
                for (int b = 0; b < 5; b++) {
                    for (int r = 0; r < 21; r++) {
                        assertThat(out[b * 21 + r]).as("%s row %d batch row %d", t, r, b).isEqualTo(w.dotScalar(r, x, b * 4100));
                    }
                }
            }
        }
    }

    @Test
    void unquantizedTypesHandleColumnsThatAreNotMultiplesOfSixteen() {
        for (TensorType t : new TensorType[] {TensorType.F32, TensorType.F16, TensorType.BF16}) {
            for (int cols : new int[] {1, 7, 17, 31, 529}) {
                Matrix w = random(t, 6, cols, cols);
                for (int batch : new int[] {1, 5}) {
                    float[] x = gaussian(new Random(cols), batch * cols);
                    float[] expected = new float[batch * 6];
                    Reference.matmul(w, x, batch, expected);
                    for (Compute c : DET) {
                        float[] out = new float[batch * 6];
                        c.matmul(w, x, batch, out);
                        assertThat(out).as("%s cols %d batch %d", t, cols, batch).containsExactly(expected);
                    }
                    float[] fast = new float[batch * 6];
                    FAST.matmul(w, x, batch, fast);
                    assertCloseToScalar(w, x, batch, fast);
                }
            }
        }
    }

    @Test
    void bothModesAgreeWithThePlainScalarDotWithinRounding() {
        for (TensorType t : TensorType.values()) {
            Matrix w = random(t, 37, 1056, 3);
            float[] x = gaussian(new Random(4), 7 * 1056);
            float[] det = new float[7 * 37];
            float[] fast = new float[7 * 37];
            DET[1].matmul(w, x, 7, det);
            FAST.matmul(w, x, 7, fast);
            assertCloseToScalar(w, x, 7, det);
            assertCloseToScalar(w, x, 7, fast);
        }
    }

    private static void assertCloseToScalar(Matrix w, float[] x, int batch, float[] out) {
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < w.rows(); r++) {
                double exact = 0, mag = 0;
                for (int c = 0; c < w.cols(); c++) {
                    exact += (double) w.get(r, c) * x[b * w.cols() + c];
                    mag += Math.abs((double) w.get(r, c) * x[b * w.cols() + c]);
                }
                double tol = mag * w.cols() * 1.2e-7 + 1e-30;
                assertThat((double) out[b * w.rows() + r]).isCloseTo(exact, org.assertj.core.data.Offset.offset(tol));
                assertThat((double) w.dotScalar(r, x, b * w.cols())).isCloseTo(exact, org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    @Test
    void aRowsResultDoesNotDependOnTheBatchItIsComputedIn() {
        for (TensorType t : TensorType.values()) {
            Matrix w = random(t, 45, 608, 5);
            float[] x = gaussian(new Random(6), 7 * 608);
            float[] batched = new float[7 * 45];
            DET[2].matmul(w, x, 7, batched);
            for (int b = 0; b < 7; b++) {
                float[] alone = new float[45];
                DET[b % 3].matmul(w, x, b * 608, 1, alone, 0);
                assertThat(alone).as("%s row %d", t, b).containsExactly(Arrays.copyOfRange(batched, b * 45, b * 45 + 45));
                // Same row inside a different batch composition (rows b and 6-b swapped in, batch of 2).
                float[] pair = new float[2 * 608];
                System.arraycopy(x, (6 - b) * 608, pair, 0, 608);
                System.arraycopy(x, b * 608, pair, 608, 608);
                float[] two = new float[2 * 45];
                DET[1].matmul(w, pair, 2, two);
                assertThat(Arrays.copyOfRange(two, 45, 90)).containsExactly(alone);
            }
        }
    }

    @Test
    void resultsAreRepeatable() {
        Matrix w = random(TensorType.Q4_0, 130, 2048, 8);
        float[] x = gaussian(new Random(9), 3 * 2048);
        float[] a = new float[3 * 130];
        float[] b = new float[3 * 130];
        DET[1].matmul(w, x, 3, a);
        DET[1].matmul(w, x, 3, b);
        assertThat(b).containsExactly(a);
    }

    @Test
    void matmulWithOffsetsWritesOnlyItsSlice() {
        Matrix w = random(TensorType.Q8_0, 5, 64, 10);
        float[] x = gaussian(new Random(11), 3 + 2 * 64);
        float[] out = new float[4 + 10 + 3];
        Arrays.fill(out, 42f);
        DET[1].matmul(w, x, 3, 2, out, 4);
        float[] expected = new float[10];
        Reference.matmul(w, Arrays.copyOfRange(x, 3, 3 + 128), 2, expected);
        assertThat(Arrays.copyOfRange(out, 4, 14)).containsExactly(expected);
        assertThat(Arrays.copyOfRange(out, 0, 4)).containsOnly(42f);
        assertThat(Arrays.copyOfRange(out, 14, 17)).containsOnly(42f);
    }

    @Test
    void badArgumentsAreNamed() {
        Matrix w = random(TensorType.F32, 4, 8, 12);
        assertThatThrownBy(() -> DET[0].matmul(w, new float[7], 1, new float[4])).hasMessageContaining("x holds 7");
        assertThatThrownBy(() -> DET[0].matmul(w, new float[8], 1, new float[3])).hasMessageContaining("out holds 3");
        assertThatThrownBy(() -> DET[0].matmul(w, new float[8], 0, new float[4])).hasMessageContaining("batch");
        assertThatThrownBy(() -> new Compute(0, Compute.Mode.FAST)).hasMessageContaining("threads");
    }

    @Test
    void dotAndAxpyMatchTheirReferences() {
        Random rnd = new Random(13);
        for (int n : new int[] {1, 5, 16, 17, 64, 100, 1000}) {
            float[] a = gaussian(rnd, n + 3);
            float[] b = gaussian(rnd, n + 5);
            float ref = Reference.dot(a, 3, b, 5, n);
            for (Compute c : DET) {
                assertThat(c.dot(a, 3, b, 5, n)).isEqualTo(ref);
            }
            double exact = 0, mag = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[3 + i] * b[5 + i];
                mag += Math.abs((double) a[3 + i] * b[5 + i]);
            }
            assertThat((double) FAST.dot(a, 3, b, 5, n)).isCloseTo(exact, org.assertj.core.data.Offset.offset(mag * n * 1.2e-7));
            float[] y1 = gaussian(rnd, n + 2);
            float[] y2 = y1.clone();
            Reference.axpy(0.37f, a, 1, y1, 2, n);
            FAST.axpy(0.37f, a, 1, y2, 2, n);
            assertThat(y2).containsExactly(y1);
        }
    }

    @Test
    void dotsEqualsDotPerKey() {
        Random rnd = new Random(17);
        int hs = 48, stride = 3 * hs, count = 19;
        float[] q = gaussian(rnd, 5 + hs);
        float[] keys = gaussian(rnd, 7 + count * stride);
        for (Compute c : new Compute[] {DET[0], FAST}) {
            float[] out = new float[2 + count];
            c.dots(q, 5, keys, 7 + hs, stride, count, hs, out, 2);
            for (int t = 0; t < count; t++) {
                assertThat(out[2 + t]).as("%s key %d", c.mode(), t).isEqualTo(c.dot(q, 5, keys, 7 + hs + t * stride, hs));
            }
        }
        float[] out = new float[count];
        DET[0].dots(q, 5, keys, 7 + hs, stride, count, hs, out, 0);
        assertThat(out[3]).isEqualTo(Reference.dot(q, 5, keys, 7 + hs + 3 * stride, hs));
    }

    @Test
    void parallelForRunsEachIndexOnceAndReportsFailures() {
        for (Compute c : DET) {
            java.util.concurrent.atomic.AtomicIntegerArray seen = new java.util.concurrent.atomic.AtomicIntegerArray(37);
            c.parallelFor(37, seen::incrementAndGet);
            for (int i = 0; i < 37; i++) {
                assertThat(seen.get(i)).as("index %d with %d threads", i, c.threads()).isEqualTo(1);
            }
            assertThatThrownBy(() -> c.parallelFor(20, i -> {
                if (i == 13) {
                    throw new IllegalStateException("task 13 failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("task 13 failed");
            c.parallelFor(0, i -> {
                throw new AssertionError("no index to run");
            });
        }
    }

    @Test
    void workerFailuresReachTheCaller() {
        Matrix w = random(TensorType.F32, 64, 8, 14);
        assertThatThrownBy(() -> DET[2].matmul(w, new float[8], 1, new float[64 - 1]))
                .isInstanceOf(IllegalArgumentException.class);
        // The pool still works afterwards.
        float[] out = new float[64];
        DET[2].matmul(w, new float[8], 1, out);
        assertThat(out).containsOnly(0f);
    }
}
