package io.braid.model.gguf;

/** The metadata value types of GGUF (ids as in ggml's {@code gguf_type}). */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int size;

    GgufValueType(int id, int size) {
        this.id = id;
        this.size = size;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** Bytes of one value, or -1 for the variable-size STRING and ARRAY. */
    public int fixedSize() {
        return size;
    }

    /** The fewest bytes one value can take in a file (bounds counts read from untrusted input). */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;       // uint64 length
            case ARRAY -> 12;       // uint32 element type + uint64 count
            default -> size;
        };
    }

    /** True for the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this file id, or null if the id is unknown. */
    static GgufValueType ofId(long id) {
        // ids are dense 0..12 and declared in id order
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The lower-case name GGUF tools print (uint32, float32, string, ...). */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
