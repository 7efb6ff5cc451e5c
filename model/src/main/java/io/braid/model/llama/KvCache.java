package io.braid.model.llama;

/**
 * Keys and values of one session for the layers of one {@link Span}, allocated once for a maximum length.
 * Append-only: {@link Span#forward} writes position {@code length()} next; {@link #truncate} rewinds it so a
 * replay can rebuild the tail. Not thread-safe: a session's steps run one after another.
 */
public final class KvCache {

    private final int firstLayer;
    private final int layers;
    private final int kvDim;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    /** A cache for layers [firstLayer, firstLayer+layers) of {@code kvDim} floats per position; see {@link Span#newCache}. */
    KvCache(int firstLayer, int layers, int kvDim, int capacity) {
        if (layers <= 0 || kvDim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KV cache needs positive layers, kvDim and capacity; got "
                    + layers + ", " + kvDim + ", " + capacity);
        }
        if ((long) kvDim * capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions x " + kvDim + " floats is too large for one layer");
        }
        this.firstLayer = firstLayer;
        this.layers = layers;
        this.kvDim = kvDim;
        this.capacity = capacity;
        this.keys = new float[layers][kvDim * capacity];
        this.values = new float[layers][kvDim * capacity];
    }

    /** Bytes a cache of this shape occupies: what a node charges against its memory budget. */
    public static long bytesFor(LlamaConfig config, int layers, int maxLength) {
        return 2L * Float.BYTES * layers * config.kvDim() * maxLength;
    }

    /** Positions held (the next position to write). */
    public int length() {
        return length;
    }

    /** Most positions this cache can hold. */
    public int capacity() {
        return capacity;
    }

    /** Number of layers this cache covers. */
    public int layers() {
        return layers;
    }

    /** Memory held by this cache. */
    public long bytes() {
        return 2L * Float.BYTES * layers * (long) kvDim * capacity;
    }

    /** Forgets positions {@code n} and later, so they can be computed again (replay). */
    public void truncate(int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("cannot truncate a KV cache of length " + length + " to " + n);
        }
        length = n;
    }

    /** Whether this cache was made for layers [from, to) with {@code kvDim}-wide positions. */
    boolean covers(int from, int to, int kvDim) {
        return firstLayer == from && layers == to - from && this.kvDim == kvDim;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    int kvDim() {
        return kvDim;
    }

    void setLength(int n) {
        length = n;
    }
}
