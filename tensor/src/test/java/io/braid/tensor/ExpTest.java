package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpTest {
    @Test
    void isTheCorrectlyRoundedFloat() {
        for (float x = -104f; x <= 89f; x += 0.00137f) {
            assertThat(Exp.exp(x)).as("exp(%s)", x).isEqualTo((float) StrictMath.exp(x));
        }
        assertThat(Exp.exp(0f)).isEqualTo(1f);
        assertThat(Exp.exp(-120f)).isEqualTo(0f);
        assertThat(Exp.exp(100f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Exp.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        Random rnd = new Random(5);
        int l = Exp.FH.length();
        float[] x = new float[l * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 200 - 100);
        }
        x[0] = -103.9f;
        x[1] = 88.7f;
        x[2] = -0f;
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i += l) {
            Exp.exp(x, v, i, 0f);
        }
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToRawIntBits(v[i])).as("exp(%s)", x[i]).isEqualTo(Float.floatToRawIntBits(Exp.exp(x[i])));
        }
        float[] shifted = new float[x.length];
        for (int i = 0; i < x.length; i += l) {
            Exp.exp(x, shifted, i, 2.5f);
        }
        for (int i = 0; i < x.length; i++) {
            assertThat(shifted[i]).isEqualTo(Exp.exp(x[i] - 2.5f));
        }
    }
}
