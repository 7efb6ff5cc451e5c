package io.braid.train.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Wire encodings of a pseudo-gradient (or of a weight delta) — a flat float vector of a length both sides
 * know. All are deterministic; the lossy ones are meant to be used with {@link ErrorFeedback}, which
 * carries what a message lost into the next one. Payloads are little-endian.
 */
public sealed interface PseudoGradientCodec
        permits PseudoGradientCodec.Fp32, PseudoGradientCodec.Int8Block, PseudoGradientCodec.Int4Block, PseudoGradientCodec.TopK {

    /** Short name as accepted by {@link #parse}. */
    String name();

    /** Encodes {@code x}; throws if it holds NaN or infinity (a diverged run must not poison the others). */
    byte[] encode(float[] x);

    /**
     * Decodes into {@code out} (overwritten, length = the encoded vector's length).
     *
     * @throws IllegalArgumentException when the payload does not fit that length
     */
    void decode(byte[] payload, float[] out);

    /**
     * {@code fp32}, {@code int8[:block]} (default block 128), {@code int4[:block]}, {@code topk[:density]}
     * (default 0.05; values int8 with one scale, positions as varint gaps).
     */
    static PseudoGradientCodec parse(String spec) {
        String s = spec.strip().toLowerCase(java.util.Locale.ROOT);
        String[] p = s.split(":", 2);
        try {
            return switch (p[0]) {
                case "fp32" -> {
                    if (p.length > 1) {
                        throw new IllegalArgumentException("codec fp32 takes no parameter");
                    }
                    yield new Fp32();
                }
                case "int8" -> new Int8Block(p.length > 1 ? Integer.parseInt(p[1]) : 128);
                case "int4" -> new Int4Block(p.length > 1 ? Integer.parseInt(p[1]) : 128);
                case "topk" -> new TopK(p.length > 1 ? Double.parseDouble(p[1]) : 0.05);
                default -> throw new IllegalArgumentException("unknown codec '" + spec + "': use fp32, int8[:block], int4[:block] or topk[:density]");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("codec '" + spec + "': bad number after ':'");
        }
    }

    /** The scale of block {@code x[from, to)} quantized to integers in [-qMax, qMax]: its largest magnitude / qMax. */
    private static float blockScale(float[] x, int from, int to, float qMax) {
        float max = 0f;
        for (int i = from; i < to; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        return max / qMax;
    }

    /** A block scale read from a {@code codec} payload, which must be finite. */
    private static float finiteScale(float scale, String codec) {
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException(codec + " payload: non-finite block scale");
        }
        return scale;
    }

    private static void checkFinite(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("pseudo-gradient has a non-finite value at " + i + " (training diverged; lower the learning rate)");
            }
        }
    }

    private static IllegalArgumentException badLength(String codec, int values, int expected, int got) {
        return new IllegalArgumentException(codec + " payload: " + got + " bytes, expected " + expected + " for " + values + " values");
    }

    /** Plain float32: 4 bytes per value, lossless. */
    record Fp32() implements PseudoGradientCodec {
        @Override
        public String name() {
            return "fp32";
        }

        @Override
        public byte[] encode(float[] x) {
            checkFinite(x);
            ByteBuffer b = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(x);
            return b.array();
        }

        @Override
        public void decode(byte[] payload, float[] out) {
            if (payload.length != out.length * 4) {
                throw badLength("fp32", out.length, out.length * 4, payload.length);
            }
            ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        }
    }

    /** Blocks of {@code block} values: a float32 scale (max|x|/127) and one signed byte per value. */
    record Int8Block(int block) implements PseudoGradientCodec {
        public Int8Block {
            if (block < 1 || block > 1 << 20) {
                throw new IllegalArgumentException("int8 block size must be in 1..2^20, got " + block);
            }
        }

        @Override
        public String name() {
            return "int8";
        }

        private int size(int n) {
            return ((n + block - 1) / block) * 4 + n;
        }

        @Override
        public byte[] encode(float[] x) {
            checkFinite(x);
            int n = x.length;
            ByteBuffer b = ByteBuffer.allocate(size(n)).order(ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                float scale = blockScale(x, from, to, 127f);
                float inv = scale > 0 ? 1f / scale : 0f;
                b.putFloat(scale);
                for (int i = from; i < to; i++) {
                    b.put((byte) Math.max(-127, Math.min(127, Math.round(x[i] * inv))));
                }
            }
            return b.array();
        }

        @Override
        public void decode(byte[] payload, float[] out) {
            int n = out.length;
            if (payload.length != size(n)) {
                throw badLength("int8", n, size(n), payload.length);
            }
            ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                float scale = finiteScale(b.getFloat(), "int8");
                for (int i = from; i < to; i++) {
                    out[i] = b.get() * scale;
                }
            }
        }
    }

    /** Blocks of {@code block} values: a float32 scale (max|x|/7) and 4-bit signed levels -7..7, two per byte. */
    record Int4Block(int block) implements PseudoGradientCodec {
        public Int4Block {
            if (block < 2 || block % 2 != 0 || block > 1 << 20) {
                throw new IllegalArgumentException("int4 block size must be even and in 2..2^20, got " + block);
            }
        }

        @Override
        public String name() {
            return "int4";
        }

        private int size(int n) {
            int blocks = (n + block - 1) / block;
            return blocks * 4 + (n + 1) / 2;
        }

        @Override
        public byte[] encode(float[] x) {
            checkFinite(x);
            int n = x.length;
            int blocks = (n + block - 1) / block;
            byte[] out = new byte[size(n)];
            ByteBuffer scales = ByteBuffer.wrap(out, 0, blocks * 4).order(ByteOrder.LITTLE_ENDIAN);
            int packed = blocks * 4;
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                float scale = blockScale(x, from, to, 7f);
                float inv = scale > 0 ? 1f / scale : 0f;
                scales.putFloat(scale);
                for (int i = from; i < to; i++) {
                    int q = Math.max(-7, Math.min(7, Math.round(x[i] * inv))) + 8;
                    int at = packed + i / 2;
                    out[at] = (byte) ((i & 1) == 0 ? (out[at] & 0xF0) | q : (out[at] & 0x0F) | (q << 4));
                }
            }
            return out;
        }

        @Override
        public void decode(byte[] payload, float[] out) {
            int n = out.length;
            if (payload.length != size(n)) {
                throw badLength("int4", n, size(n), payload.length);
            }
            int blocks = (n + block - 1) / block;
            ByteBuffer scales = ByteBuffer.wrap(payload, 0, blocks * 4).order(ByteOrder.LITTLE_ENDIAN);
            int packed = blocks * 4;
            for (int from = 0; from < n; from += block) {
                int to = Math.min(n, from + block);
                float scale = finiteScale(scales.getFloat(), "int4");
                for (int i = from; i < to; i++) {
                    int v = payload[packed + i / 2] & 0xFF;
                    int q = ((i & 1) == 0 ? v & 0x0F : v >>> 4) - 8;
                    out[i] = q * scale;
                }
            }
        }
    }

    /**
     * The {@code density·n} largest-magnitude values (ties broken by lower index): count, one float32
     * scale, then per value its position as a varint gap from the previous one and an int8 level.
     */
    record TopK(double density) implements PseudoGradientCodec {
        public TopK {
            if (!(density > 0 && density <= 1)) {
                throw new IllegalArgumentException("top-k density must be in (0,1], got " + density);
            }
        }

        @Override
        public String name() {
            return "topk";
        }

        @Override
        public byte[] encode(float[] x) {
            checkFinite(x);
            int n = x.length;
            int k = (int) Math.min(n, Math.max(1, Math.ceil(density * n)));
            float[] mags = new float[n];
            for (int i = 0; i < n; i++) {
                mags[i] = Math.abs(x[i]);
            }
            float[] sorted = mags.clone();
            Arrays.sort(sorted);
            float threshold = sorted[n - k];
            int above = 0;
            for (float m : mags) {
                if (m > threshold) {
                    above++;
                }
            }
            int tiesAllowed = k - above;
            float max = sorted[n - 1];
            float scale = max / 127f;
            float inv = scale > 0 ? 1f / scale : 0f;
            ByteBuffer b = ByteBuffer.allocate(8 + k * 6).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(k);
            b.putFloat(scale);
            int prev = -1;
            for (int i = 0; i < n; i++) {
                boolean take = mags[i] > threshold || (mags[i] == threshold && tiesAllowed-- > 0);
                if (take) {
                    putVarint(b, i - prev);
                    b.put((byte) Math.max(-127, Math.min(127, Math.round(x[i] * inv))));
                    prev = i;
                }
            }
            return Arrays.copyOf(b.array(), b.position());
        }

        private static void putVarint(ByteBuffer b, int v) {
            while ((v & ~0x7F) != 0) {
                b.put((byte) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.put((byte) v);
        }

        @Override
        public void decode(byte[] payload, float[] out) {
            int n = out.length;
            Arrays.fill(out, 0f);
            try {
                ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
                int k = b.getInt();
                float scale = b.getFloat();
                if (k < 0 || k > n || !Float.isFinite(scale)) {
                    throw new IllegalArgumentException("topk payload: bad header (k=" + k + " for " + n + " values)");
                }
                int pos = -1;
                for (int j = 0; j < k; j++) {
                    int gap = 0;
                    int shift = 0;
                    int c;
                    do {
                        c = b.get() & 0xFF;
                        gap |= (c & 0x7F) << shift;
                        shift += 7;
                    } while ((c & 0x80) != 0 && shift < 35);
                    pos += gap;
                    if (gap <= 0 || pos >= n) {
                        throw new IllegalArgumentException("topk payload: position out of range for " + n + " values");
                    }
                    out[pos] = b.get() * scale;
                }
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException("topk payload: " + b.remaining() + " trailing bytes");
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("topk payload: truncated (" + payload.length + " bytes)");
            }
        }
    }
}
