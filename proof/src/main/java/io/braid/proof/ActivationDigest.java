package io.braid.proof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A TOPLOC-style digest of output activations: for every position (row) the {@link #TOP_K} entries of largest
 * magnitude, grouped in chunks of {@link #CHUNK} positions that each start with a 16-bit row count. Per row: the
 * largest entry's 16-bit column index and its exact float32 value, then the second largest entry's index (its value
 * is not stored: the index alone pins the row's ordering).
 *
 * <p>Size: {@code 2 + 32·8} = 258 bytes per 32 positions — TOPLOC's figure. The value is kept at full float32
 * precision because fp16 rounding (2⁻¹¹ relative) would hide subtle weight changes below the rounding noise: with
 * float32 the honest noise is the arithmetic drift alone (~1e-6 relative, measured). A verifier that recomputed the
 * activations compares the committed value at the committed index ({@link DigestCheck}); it never needs the
 * committing node's arithmetic to pick the same top-k, so honest nodes whose last bits differ still pass.
 *
 * <p>Layout (big-endian): per chunk {@code u16 rows}, then per row {@code u16 index1, f32 value1, u16 index2}.
 */
public final class ActivationDigest {

    /** Entries kept per position. */
    public static final int TOP_K = 2;
    /** Positions per chunk. */
    public static final int CHUNK = 32;
    private static final int ROW_BYTES = 8;

    private ActivationDigest() {
    }

    /** Digest size in bytes for {@code rows} positions. */
    public static int bytesFor(int rows) {
        int chunks = (rows + CHUNK - 1) / CHUNK;
        return chunks * 2 + rows * ROW_BYTES;
    }

    /** Digest of {@code rows} rows of {@code dim} activations starting at {@code x[off]}. */
    public static byte[] of(float[] x, int off, int rows, int dim) {
        if (dim > 65536) throw new IllegalArgumentException("activation width " + dim + " exceeds the digest's 16-bit index");
        if (dim < TOP_K) throw new IllegalArgumentException("activation width " + dim + " is below top-k " + TOP_K);
        if (off < 0 || rows < 0 || off + (long) rows * dim > x.length) {
            throw new IllegalArgumentException("digest range [" + off + ", +" + rows + "x" + dim + ") outside an array of " + x.length);
        }
        ByteBuffer out = ByteBuffer.allocate(bytesFor(rows)).order(ByteOrder.BIG_ENDIAN);
        int[] idx = new int[TOP_K];
        for (int r = 0; r < rows; r++) {
            if (r % CHUNK == 0) out.putShort((short) Math.min(CHUNK, rows - r));
            topK(x, off + r * dim, dim, idx);
            out.putShort((short) idx[0]);
            out.putFloat(x[off + r * dim + idx[0]]);
            out.putShort((short) idx[1]);
        }
        return out.array();
    }

    /** Indices of the TOP_K largest |x| in descending order (lower index first on ties; NaN counts as largest). */
    static void topK(float[] x, int off, int n, int[] idx) {
        int kk = idx.length;
        float[] best = new float[kk];
        java.util.Arrays.fill(best, -1f);
        java.util.Arrays.fill(idx, -1);
        for (int j = 0; j < n; j++) {
            float v = x[off + j];
            float a = Float.isNaN(v) ? Float.POSITIVE_INFINITY : Math.abs(v);
            if (a <= best[kk - 1] && idx[kk - 1] >= 0) continue;
            int p = kk - 1;
            while (p > 0 && (idx[p - 1] < 0 || a > best[p - 1])) {
                best[p] = best[p - 1];
                idx[p] = idx[p - 1];
                p--;
            }
            best[p] = a;
            idx[p] = j;
        }
    }

    /** A parsed digest: per row TOP_K indices and the value of the first. */
    public record Parsed(int rows, int[] index, float[] value) {
        public int index(int row, int rank) {
            return index[row * TOP_K + rank];
        }

        /** The committed value of the row's largest entry. */
        public float value(int row) {
            return value[row];
        }
    }

    /** Parses a digest of {@code rows} rows; throws {@link IllegalArgumentException} naming the problem. */
    public static Parsed parse(byte[] digest, int rows, int dim) {
        if (digest.length != bytesFor(rows)) {
            throw new IllegalArgumentException("digest has " + digest.length + " bytes, expected " + bytesFor(rows) + " for " + rows + " rows");
        }
        ByteBuffer in = ByteBuffer.wrap(digest).order(ByteOrder.BIG_ENDIAN);
        int[] index = new int[rows * TOP_K];
        float[] value = new float[rows];
        for (int r = 0; r < rows; r++) {
            if (r % CHUNK == 0) {
                int n = Short.toUnsignedInt(in.getShort());
                if (n != Math.min(CHUNK, rows - r)) throw new IllegalArgumentException("digest chunk at row " + r + " claims " + n + " rows");
            }
            int i1 = Short.toUnsignedInt(in.getShort());
            value[r] = in.getFloat();
            int i2 = Short.toUnsignedInt(in.getShort());
            if (i1 >= dim || i2 >= dim || i1 == i2) {
                throw new IllegalArgumentException("digest indices " + i1 + ", " + i2 + " at row " + r + " are not two distinct columns below width " + dim);
            }
            index[r * TOP_K] = i1;
            index[r * TOP_K + 1] = i2;
        }
        return new Parsed(rows, index, value);
    }
}
