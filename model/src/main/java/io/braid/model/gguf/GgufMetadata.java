package io.braid.model.gguf;

import io.braid.model.ModelFormatException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order. Getters convert between compatible types and fail
 * with a one-line {@link ModelFormatException} naming the file and key when a key is missing or has a type
 * that cannot be converted.
 */
public final class GgufMetadata {

    private final Object source;
    private final Map<String, GgufValue> entries;

    /** Metadata read from (or destined for) {@code source}, a path or display name used in error messages. */
    public GgufMetadata(Object source, Map<String, GgufValue> entries) {
        this.source = source;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The path or display name this metadata was read from (or is destined for), for error messages. */
    public Object source() {
        return source;
    }

    /** Every entry, typed, in file order (unmodifiable). */
    public Map<String, GgufValue> entries() {
        return entries;
    }

    /** Every key with its Java value ({@link GgufValue#value()}), in file order. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(k, v.value()));
        return Collections.unmodifiableMap(m);
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean contains(String key) {
        return entries.containsKey(key);
    }

    public int size() {
        return entries.size();
    }

    /** The typed value of {@code key}, if present. */
    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The typed value of {@code key}; fails if missing. */
    public GgufValue value(String key) {
        GgufValue v = entries.get(key);
        if (v == null) {
            throw new ModelFormatException(source, "missing metadata key " + ModelFormatException.quote(key));
        }
        return v;
    }

    /** The Java value of {@code key} (see {@link GgufValue}); fails if missing. */
    public Object get(String key) {
        return value(key).value();
    }

    public GgufValueType type(String key) {
        return value(key).type();
    }

    public String getString(String key) {
        GgufValue v = value(key);
        if (v.value() instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    public String getString(String key, String defaultValue) {
        return contains(key) ? getString(key) : defaultValue;
    }

    /** Any integer type as a long (UINT64 values ≥ 2^63 are rejected rather than read as negative). */
    public long getLong(String key) {
        GgufValue v = value(key);
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        long l = ((Number) v.value()).longValue();
        if (v.type() == GgufValueType.UINT64 && l < 0) {
            throw new ModelFormatException(source, "metadata key " + ModelFormatException.quote(key) + " = "
                    + Long.toUnsignedString(l) + " does not fit in a signed 64-bit integer");
        }
        return l;
    }

    public long getLong(String key, long defaultValue) {
        return contains(key) ? getLong(key) : defaultValue;
    }

    /**
     * Any integer type as an int. A UINT32 above {@link Integer#MAX_VALUE} is returned as its two's-complement
     * bits, so 0xFFFFFFFF reads as -1 (llama.cpp's "no such token" for token ids); other values that do not
     * fit in an int fail.
     */
    public int getInt(String key) {
        GgufValue v = value(key);
        if (v.type() == GgufValueType.UINT32) {
            return (int) (long) (Long) v.value();
        }
        long l = getLong(key);
        if (l != (int) l) {
            throw new ModelFormatException(source, "metadata key " + ModelFormatException.quote(key) + " = " + l
                    + " does not fit in a 32-bit integer");
        }
        return (int) l;
    }

    public int getInt(String key, int defaultValue) {
        return contains(key) ? getInt(key) : defaultValue;
    }

    /** FLOAT32, FLOAT64 (rounded) or an integer type (converted) as a float. */
    public float getFloat(String key) {
        GgufValue v = value(key);
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Number n when v.type().isInteger() -> (float) getLong(key);
            default -> throw wrongType(key, v, "a number");
        };
    }

    public float getFloat(String key, float defaultValue) {
        return contains(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key) {
        GgufValue v = value(key);
        if (v.value() instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "a bool");
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return contains(key) ? getBoolean(key) : defaultValue;
    }

    /** The array value of {@code key}. */
    public GgufArray getArray(String key) {
        GgufValue v = value(key);
        if (v.value() instanceof GgufArray a) {
            return a;
        }
        throw wrongType(key, v, "an array");
    }

    /** A string array as an unmodifiable list (no copy of the strings). */
    public List<String> getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw wrongElements(key, a, "strings");
        }
        return a.stringView();
    }

    /** A FLOAT32 or FLOAT64 array (or an integer array, converted) as a new float[]. */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        Object raw = a.raw();
        if (raw instanceof float[] f) {
            return f.clone();
        }
        if (a.elementType() != GgufValueType.FLOAT64 && !a.elementType().isInteger()) {
            throw wrongElements(key, a, "numbers");
        }
        float[] out = new float[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) a.get(i)).floatValue();
        }
        return out;
    }

    /**
     * An integer array as a new int[], with {@link #getInt}'s rule: UINT32 elements keep their bits; elements of
     * other types must fit in an int.
     */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        if (!a.elementType().isInteger()) {
            throw wrongElements(key, a, "integers");
        }
        Object raw = a.raw();
        if (raw instanceof int[] ints) {
            return ints.clone();   // INT32, or UINT32 keeping its bits
        }
        int[] out = new int[a.length()];
        for (int i = 0; i < out.length; i++) {
            long l = ((Number) a.get(i)).longValue();
            if (l != (int) l || (a.elementType() == GgufValueType.UINT64 && l < 0)) {
                throw new ModelFormatException(source, "metadata key " + ModelFormatException.quote(key)
                        + ": element " + i + " does not fit in a 32-bit integer");
            }
            out[i] = (int) l;
        }
        return out;
    }

    @Override
    public String toString() {
        return "GgufMetadata" + entries;
    }

    private ModelFormatException wrongType(String key, GgufValue v, String expected) {
        return new ModelFormatException(source, "metadata key " + ModelFormatException.quote(key) + " is "
                + (v.value() instanceof GgufArray a ? a.toString() : v.type().toString()) + ", expected " + expected);
    }

    private ModelFormatException wrongElements(String key, GgufArray a, String expected) {
        return new ModelFormatException(source, "metadata key " + ModelFormatException.quote(key) + " is "
                + a + ", expected an array of " + expected);
    }
}
