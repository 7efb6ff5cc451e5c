package io.braid.model.gguf;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable GGUF metadata array: an element type and the elements, held in a primitive Java array of the
 * element's width (UINT8/INT8 {@code byte[]}, UINT16/INT16 {@code short[]}, UINT32/INT32 {@code int[]},
 * UINT64/INT64 {@code long[]}, FLOAT32 {@code float[]}, FLOAT64 {@code double[]}, BOOL {@code boolean[]},
 * STRING {@code String[]}, ARRAY {@code GgufArray[]} for nested arrays). Unsigned elements are stored as their
 * raw bits and widened by the accessors.
 */
public final class GgufArray {

    private final GgufValueType elementType;
    private final Object elements;
    private final int length;

    private GgufArray(GgufValueType elementType, Object elements) {
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        this.elements = Objects.requireNonNull(elements, "elements");
        Class<?> expected = javaArrayClass(elementType);
        if (elements.getClass() != expected) {
            throw new IllegalArgumentException("a GGUF array of " + elementType + " needs a "
                    + expected.getSimpleName() + ", not a " + elements.getClass().getSimpleName());
        }
        this.length = java.lang.reflect.Array.getLength(elements);
        if (elements instanceof Object[] objects) {
            for (Object o : objects) {
                Objects.requireNonNull(o, "array element");
            }
        }
    }

    /**
     * An array of {@code elementType} over a copy of {@code elements}, a primitive array of the element's
     * width (see the class comment), e.g. {@code of(UINT32, new int[]{1, 2})}.
     */
    public static GgufArray of(GgufValueType elementType, Object elements) {
        return new GgufArray(elementType, copy(elements));
    }

    /** A STRING array. */
    public static GgufArray ofStrings(List<String> strings) {
        return new GgufArray(GgufValueType.STRING, strings.toArray(new String[0]));
    }

    /** A FLOAT32 array. */
    public static GgufArray ofFloats(float[] values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone());
    }

    /** An INT32 array. */
    public static GgufArray ofInts(int[] values) {
        return new GgufArray(GgufValueType.INT32, values.clone());
    }

    /** Wraps an array the caller hands over (the parser's freshly read arrays); no copy. */
    static GgufArray wrap(GgufValueType elementType, Object elements) {
        return new GgufArray(elementType, elements);
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int length() {
        return length;
    }

    /** Element {@code i} in the {@link GgufValue#value()} representation of the element type. */
    public Object get(int i) {
        Objects.checkIndex(i, length);
        return switch (elementType) {
            case UINT8 -> ((byte[]) elements)[i] & 0xFF;
            case INT8 -> (int) ((byte[]) elements)[i];
            case UINT16 -> ((short[]) elements)[i] & 0xFFFF;
            case INT16 -> (int) ((short[]) elements)[i];
            case UINT32 -> ((int[]) elements)[i] & 0xFFFF_FFFFL;
            case INT32 -> ((int[]) elements)[i];
            case UINT64, INT64 -> ((long[]) elements)[i];
            case FLOAT32 -> ((float[]) elements)[i];
            case FLOAT64 -> ((double[]) elements)[i];
            case BOOL -> ((boolean[]) elements)[i];
            case STRING -> ((String[]) elements)[i];
            case ARRAY -> ((GgufArray[]) elements)[i];
        };
    }

    /** Element {@code i} as a typed value. */
    public GgufValue value(int i) {
        return new GgufValue(elementType, get(i));
    }

    /** A copy of the raw element array (see the class comment for its Java type). */
    public Object toArray() {
        return copy(elements);
    }

    /** The raw element array, not copied: only for this package's reader and writer, which never modify it. */
    Object raw() {
        return elements;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray a && a.elementType == elementType
                && Arrays.deepEquals(new Object[] {elements}, new Object[] {a.elements});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {elements});
    }

    @Override
    public String toString() {
        return "array[" + elementType + " x " + length + "]";
    }

    /** The strings of a STRING array as an unmodifiable list view (no copy). */
    List<String> stringView() {
        return Collections.unmodifiableList(Arrays.asList((String[]) elements));
    }

    static Class<?> javaArrayClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    private static Object copy(Object array) {
        Objects.requireNonNull(array, "elements");
        return switch (array) {
            case byte[] a -> a.clone();
            case short[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            case Object[] a -> a.clone();
            default -> throw new IllegalArgumentException("not an array: " + array.getClass().getSimpleName());
        };
    }
}
