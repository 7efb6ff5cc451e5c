package io.braid.model.gguf;

import java.util.Objects;

/**
 * One typed GGUF metadata value. The GGUF type is kept (not just the Java value) so a file can be rewritten
 * byte-for-byte and so readers can tell a uint32 from an int32.
 *
 * <p>Java representation of {@link #value()}: UINT8, INT8, UINT16, INT16, INT32 → {@link Integer} (unsigned
 * types widened, so always the true value); UINT32, INT64 → {@link Long}; UINT64 → {@link Long} holding the raw
 * 64 bits (values ≥ 2^63 read as negative); FLOAT32 → {@link Float}; FLOAT64 → {@link Double}; BOOL →
 * {@link Boolean}; STRING → {@link String}; ARRAY → {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    /** Checks that {@code value} is the representation of {@code type} and in its range. */
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        boolean ok = switch (type) {
            case UINT8 -> value instanceof Integer i && i >= 0 && i <= 0xFF;
            case INT8 -> value instanceof Integer i && i >= Byte.MIN_VALUE && i <= Byte.MAX_VALUE;
            case UINT16 -> value instanceof Integer i && i >= 0 && i <= 0xFFFF;
            case INT16 -> value instanceof Integer i && i >= Short.MIN_VALUE && i <= Short.MAX_VALUE;
            case INT32 -> value instanceof Integer;
            case UINT32 -> value instanceof Long l && l >= 0 && l <= 0xFFFF_FFFFL;
            case INT64, UINT64 -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof GgufArray;
        };
        if (!ok) {
            throw new IllegalArgumentException("a GGUF " + type + " cannot hold " + value
                    + " (" + value.getClass().getSimpleName() + ")");
        }
    }

    public static GgufValue uint8(int v) {
        return new GgufValue(GgufValueType.UINT8, v);
    }

    public static GgufValue int8(int v) {
        return new GgufValue(GgufValueType.INT8, v);
    }

    public static GgufValue uint16(int v) {
        return new GgufValue(GgufValueType.UINT16, v);
    }

    public static GgufValue int16(int v) {
        return new GgufValue(GgufValueType.INT16, v);
    }

    public static GgufValue uint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    /** A uint64 from its raw 64 bits. */
    public static GgufValue uint64(long bits) {
        return new GgufValue(GgufValueType.UINT64, bits);
    }

    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue array(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }

    /** Short, single-line rendering (arrays show their type and length, not their contents). */
    @Override
    public String toString() {
        return switch (type) {
            case STRING -> type + " " + io.braid.model.ModelFormatException.quote((String) value);
            case UINT64 -> type + " " + Long.toUnsignedString((Long) value);
            default -> type + " " + value;
        };
    }
}
