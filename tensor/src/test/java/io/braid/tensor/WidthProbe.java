package io.braid.tensor;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * Prints a SHA-256 over the bits of deterministic kernel results for fixed inputs, plus the vector width in
 * use. Run in child JVMs with {@code -Dbraid.tensor.vectorBits=128|256|512} by {@link VectorWidthTest}.
 */
public final class WidthProbe {
    private WidthProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(Kernels.F.vectorBitSize() + " " + digest(false));
    }

    /** Digest of the kernels' results, or of {@link Reference}'s when {@code reference} is true. */
    static String digest(boolean reference) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (Arena arena = Arena.ofShared(); Compute c = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            int[][] shapes = {{7, 544}, {13, 96}, {5, 37}};
            for (TensorType t : TensorType.values()) {
                for (int[] s : shapes) {
                    if (s[1] % t.blockSize() != 0) {
                        continue;
                    }
                    Random rnd = new Random(t.ordinal() * 31L + s[1]);
                    float[] v = new float[s[0] * s[1]];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) rnd.nextGaussian();
                    }
                    Matrix w = Matrix.quantize(t, v, s[0], s[1], arena);
                    for (int batch : new int[] {1, 6}) {
                        float[] x = new float[batch * s[1]];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) rnd.nextGaussian();
                        }
                        float[] out = new float[batch * s[0]];
                        if (reference) {
                            Reference.matmul(w, x, batch, out);
                        } else {
                            c.matmul(w, x, batch, out);
                        }
                        add(md, out);
                        float d = reference ? Reference.dot(v, 0, x, 0, s[1]) : c.dot(v, 0, x, 0, s[1]);
                        add(md, new float[] {d});
                    }
                }
            }
        }
        // Element-wise ops: vector bodies plus scalar tails (n = 101) against their scalar definitions.
        Random rnd = new Random(99);
        float[] g = new float[101];
        float[] u = new float[101];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian() * 4;
            u[i] = (float) rnd.nextGaussian();
        }
        float[] sm = g.clone();
        if (reference) {
            for (int i = 0; i < g.length; i++) {
                float v = g[i];
                v *= 1f / (1f + Exp.exp(-v));
                g[i] = v * u[i];
            }
            float max = Float.NEGATIVE_INFINITY, sum = 0f;
            for (float f : sm) {
                max = Math.max(max, f);
            }
            for (int i = 0; i < sm.length; i++) {
                sm[i] = Exp.exp(sm[i] - max);
                sum += sm[i];
            }
            for (int i = 0; i < sm.length; i++) {
                sm[i] /= sum;
            }
        } else {
            Ops.swiglu(g, 0, u, 0, g.length);
            Ops.softmax(sm, 0, sm.length);
        }
        add(md, g);
        add(md, sm);
        return HexFormat.of().formatHex(md.digest());
    }

    private static void add(MessageDigest md, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        for (float f : values) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        md.update(b.array());
    }
}
