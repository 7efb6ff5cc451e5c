package io.braid.train.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PseudoGradientCodecTest {

    private static float[] gaussian(long seed, int n, double std) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * std);
        }
        return x;
    }

    private static float[] roundTrip(PseudoGradientCodec c, float[] x) {
        float[] out = new float[x.length];
        c.decode(c.encode(x), out);
        return out;
    }

    @Test
    void fp32IsExact() {
        float[] x = gaussian(1, 1001, 1e-3);
        PseudoGradientCodec c = PseudoGradientCodec.parse("fp32");
        assertThat(c.encode(x)).hasSize(4004);
        assertThat(roundTrip(c, x)).isEqualTo(x);
    }

    /** Each value is off by at most half a quantization step of its block: max|block| / (2·levels). */
    private static void blockwiseBound(PseudoGradientCodec c, int block, int levels, int expectedBytes) {
        float[] x = gaussian(2, 1000, 1e-2);
        x[17] = 0.5f; // an outlier only hurts its own block
        byte[] payload = c.encode(x);
        assertThat(payload).hasSize(expectedBytes);
        float[] y = new float[x.length];
        c.decode(payload, y);
        for (int from = 0; from < x.length; from += block) {
            float max = 0;
            for (int i = from; i < Math.min(x.length, from + block); i++) {
                max = Math.max(max, Math.abs(x[i]));
            }
            for (int i = from; i < Math.min(x.length, from + block); i++) {
                assertThat(Math.abs(x[i] - y[i])).as("value %d", i).isLessThanOrEqualTo(max / (2f * levels) * 1.0001f);
            }
        }
        float[] zeros = new float[300];
        assertThat(roundTrip(c, zeros)).isEqualTo(zeros);
    }

    @Test
    void int8ErrorIsWithinHalfAStepPerBlock() {
        blockwiseBound(PseudoGradientCodec.parse("int8:128"), 128, 127, 8 * 4 + 1000);
        blockwiseBound(PseudoGradientCodec.parse("int8:32"), 32, 127, 32 * 4 + 1000);
    }

    @Test
    void int4ErrorIsWithinHalfAStepPerBlock() {
        blockwiseBound(PseudoGradientCodec.parse("int4"), 128, 7, 8 * 4 + 500);
        blockwiseBound(PseudoGradientCodec.parse("int4:64"), 64, 7, 16 * 4 + 500);
    }

    @Test
    void topKKeepsExactlyTheLargestValues() {
        float[] x = gaussian(3, 2000, 1);
        PseudoGradientCodec c = PseudoGradientCodec.parse("topk:0.01");
        byte[] payload = c.encode(x);
        float[] y = new float[x.length];
        c.decode(payload, y);
        float[] mags = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            mags[i] = Math.abs(x[i]);
        }
        float[] sorted = mags.clone();
        java.util.Arrays.sort(sorted);
        float threshold = sorted[x.length - 20];
        int kept = 0;
        float max = sorted[x.length - 1];
        for (int i = 0; i < x.length; i++) {
            if (y[i] != 0) {
                kept++;
                assertThat(mags[i]).isGreaterThanOrEqualTo(threshold);
                assertThat(Math.abs(y[i] - x[i])).isLessThanOrEqualTo(max / 254f * 1.0001f);
            } else {
                assertThat(mags[i]).isLessThanOrEqualTo(threshold);
            }
        }
        assertThat(kept).isEqualTo(20);
        assertThat(payload.length).isLessThanOrEqualTo(8 + 20 * 3);
        float[] ties = new float[10];
        java.util.Arrays.fill(ties, 1f);
        float[] t = roundTrip(PseudoGradientCodec.parse("topk:0.3"), ties);
        assertThat(t).containsExactly(1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void errorFeedbackDeliversTheSumOverManyMessages() {
        for (String spec : new String[] {"topk:0.02", "int4", "int8"}) {
            PseudoGradientCodec c = PseudoGradientCodec.parse(spec);
            int n = 5000;
            ErrorFeedback ef = new ErrorFeedback(c, n);
            double[] sent = new double[n];
            double[] received = new double[n];
            float[] y = new float[n];
            double inputNorm = 0;
            for (int round = 0; round < 60; round++) {
                float[] x = gaussian(100 + round, n, 1e-3);
                for (int i = 0; i < n; i++) {
                    sent[i] += x[i];
                }
                c.decode(ef.encode(x), y);
                for (int i = 0; i < n; i++) {
                    received[i] += y[i];
                }
                inputNorm = 0;
                for (float v : x) {
                    inputNorm += (double) v * v;
                }
                inputNorm = Math.sqrt(inputNorm);
            }
            double gap = 0;
            double total = 0;
            for (int i = 0; i < n; i++) {
                gap += (sent[i] - received[i]) * (sent[i] - received[i]);
                total += sent[i] * sent[i];
            }
            // What is still owed is exactly the residual, and it stays bounded (it does not grow with rounds).
            assertThat(Math.sqrt(gap)).as(spec).isCloseTo(ef.residualNorm(), org.assertj.core.data.Offset.offset(1e-6 + 1e-4 * Math.sqrt(total)));
            assertThat(ef.residualNorm()).as(spec + " residual bounded").isLessThan(spec.startsWith("topk") ? 12 * inputNorm : inputNorm);
            assertThat(Math.sqrt(gap)).as(spec + " far less than the sum").isLessThan(Math.sqrt(total));
        }
    }

    @Test
    void badInputGetsClearErrors() {
        assertThatThrownBy(() -> PseudoGradientCodec.parse("zip")).hasMessageContaining("unknown codec 'zip'");
        assertThatThrownBy(() -> PseudoGradientCodec.parse("int8:x")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> PseudoGradientCodec.parse("topk:2")).hasMessageContaining("density");
        assertThatThrownBy(() -> PseudoGradientCodec.parse("int4:3")).hasMessageContaining("even");
        for (String s : new String[] {"fp32", "int8", "int4", "topk"}) {
            PseudoGradientCodec c = PseudoGradientCodec.parse(s);
            assertThatThrownBy(() -> c.encode(new float[] {1f, Float.NaN})).hasMessageContaining("non-finite");
            byte[] ok = c.encode(gaussian(5, 100, 1));
            assertThatThrownBy(() -> c.decode(java.util.Arrays.copyOf(ok, ok.length - 1), new float[100]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(s);
        }
    }
}
