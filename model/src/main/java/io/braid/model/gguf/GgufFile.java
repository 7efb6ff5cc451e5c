package io.braid.model.gguf;

import io.braid.model.ModelFormatException;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A GGUF (v2 or v3, little-endian) model file, memory-mapped read-only. Opening parses only the header,
 * metadata and tensor directory; tensor bytes are never read or copied here — {@link #tensorData} and
 * {@link #matrix} return slices of the mapping, so the OS pages in only the tensors that are actually used
 * (a node hosting a few layers touches only those layers' pages).
 *
 * <p>Every problem with the file (truncated, corrupt, unsupported version or tensor type, absurd lengths,
 * data past the end) is reported as a one-line {@link ModelFormatException} {@code "<file>: <problem>"}.
 * Slices stay valid until {@link #close()}; the file may be read from several threads.
 */
public final class GgufFile implements AutoCloseable {

    /** Tensor data alignment when the file does not set {@code general.alignment}. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The metadata key holding the tensor data alignment (uint32, a power of two). */
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Nested arrays deeper than this are rejected (keeps a hostile file from exhausting the stack). */
    static final int MAX_ARRAY_DEPTH = 16;
    /** Fixed part of the header: magic, version, tensor count, metadata count. */
    static final int HEADER_BYTES = 24;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Object source;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> byName;
    private final long alignment;
    private final long dataStart;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GgufFile(Object source, Arena arena, MemorySegment segment, int version, GgufMetadata metadata,
                     List<GgufTensorInfo> tensors, long alignment, long dataStart) {
        this.source = source;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableList(tensors);
        Map<String, GgufTensorInfo> m = new HashMap<>();
        tensors.forEach(t -> m.put(t.name(), t));
        this.byName = m;
        this.alignment = alignment;
        this.dataStart = dataStart;
    }

    /**
     * Maps and parses {@code path}. Fails with a {@link ModelFormatException} if the file cannot be read or is
     * not a valid GGUF v2/v3 file.
     */
    public static GgufFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            Arena arena = Arena.ofShared();
            try {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return parse(path, seg, arena);
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "no such file");
        } catch (AccessDeniedException e) {
            throw new ModelFormatException(path, "permission denied");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a GGUF image already in memory. {@code source} names it in errors; {@code arena} (may be null)
     * is closed by {@link #close()}.
     */
    static GgufFile parse(Object source, MemorySegment seg, Arena arena) {
        return new Parser(source, seg).parse(arena);
    }

    /** The path or name this file was read from. */
    public Object source() {
        return source;
    }

    /** The GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** The tensor directory in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tensor called {@code name}; fails with a {@link ModelFormatException} naming it if absent. */
    public GgufTensorInfo requireTensor(String name) {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new ModelFormatException(source, "no tensor " + ModelFormatException.quote(name));
        }
        return t;
    }

    /** The tensor data alignment in bytes. */
    public long alignment() {
        return alignment;
    }

    /** Absolute file offset of the tensor data section. */
    public long dataStart() {
        return dataStart;
    }

    /** The whole mapped file. */
    public MemorySegment segment() {
        return segment;
    }

    /** The bytes of tensor {@code name}: a slice of the mapping, never a copy. */
    public MemorySegment tensorData(String name) {
        GgufTensorInfo t = requireTensor(name);
        return segment.asSlice(dataStart + t.offset(), t.byteSize());
    }

    /**
     * Tensor {@code name} as a weight matrix over its mapped bytes: rows = ne[1], cols = ne[0] (the contiguous
     * dimension). A 1-D tensor is a single row. Higher dimensions must be 1.
     */
    public Matrix matrix(String name) {
        GgufTensorInfo t = requireTensor(name);
        for (int i = 2; i < t.rank(); i++) {
            if (t.dim(i) != 1) {
                throw new ModelFormatException(source, "tensor " + ModelFormatException.quote(name) + " has shape "
                        + java.util.Arrays.toString(t.shape()) + ", not a matrix");
            }
        }
        long cols = t.dim(0);
        long rows = t.dim(1);
        if (cols > Integer.MAX_VALUE || rows > Integer.MAX_VALUE) {
            throw new ModelFormatException(source, "tensor " + ModelFormatException.quote(name)
                    + " is too large for a matrix (" + rows + " x " + cols + ")");
        }
        try {
            return Matrix.of(t.type(), tensorData(name), (int) rows, (int) cols);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "tensor " + ModelFormatException.quote(name) + " cannot be used as a "
                    + rows + " x " + cols + " matrix: " + e.getMessage(), e);
        }
    }

    /**
     * All elements of tensor {@code name} converted to floats — a copy, meant for small tensors such as
     * norm weights.
     */
    public float[] floats(String name) {
        GgufTensorInfo t = requireTensor(name);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(source, "tensor " + ModelFormatException.quote(name)
                    + " has too many elements (" + n + ") to copy into a float[]");
        }
        float[] out = new float[(int) n];
        if (n == 0) {
            return out;
        }
        Matrix.of(t.type(), tensorData(name), 1, (int) n).dequantizeRow(0, out, 0);
        return out;
    }

    /** Unmaps the file; slices obtained from it become unusable. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + source + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size()
                + " tensors]";
    }

    /** ggml type names for the ids Braid does not support, so errors can say what the file needs. */
    static String ggmlTypeName(long id) {
        return switch ((int) Math.min(id, Integer.MAX_VALUE)) {
            case 3 -> "Q4_1";
            case 6 -> "Q5_0";
            case 7 -> "Q5_1";
            case 9 -> "Q8_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K";
            case 12 -> "Q4_K";
            case 13 -> "Q5_K";
            case 14 -> "Q6_K";
            case 15 -> "Q8_K";
            case 16 -> "IQ2_XXS";
            case 17 -> "IQ2_XS";
            case 18 -> "IQ3_XXS";
            case 19 -> "IQ1_S";
            case 20 -> "IQ4_NL";
            case 21 -> "IQ3_S";
            case 22 -> "IQ2_S";
            case 23 -> "IQ4_XS";
            case 24 -> "I8";
            case 25 -> "I16";
            case 26 -> "I32";
            case 27 -> "I64";
            case 28 -> "F64";
            case 29 -> "IQ1_M";
            case 34 -> "TQ1_0";
            case 35 -> "TQ2_0";
            case 39 -> "MXFP4";
            default -> "unknown";
        };
    }

    /** A bounds-checked cursor over untrusted bytes; every read that would leave the file fails cleanly. */
    private static final class Parser {
        private final Object source;
        private final MemorySegment seg;
        private final long size;
        private long pos;

        Parser(Object source, MemorySegment seg) {
            this.source = source;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        GgufFile parse(Arena arena) {
            if (size < 4 || seg.get(U32, 0) != MAGIC) {
                throw fail("not a GGUF file (" + (size < 4 ? "only " + size + " bytes" : "magic is "
                        + magicText()) + ", expected 'GGUF')");
            }
            if (size < HEADER_BYTES) {
                throw fail("truncated: " + size + " bytes is too short for a GGUF header");
            }
            pos = 4;
            int version = seg.get(U32, pos);
            pos += 4;
            if (version != 2 && version != 3) {
                int swapped = Integer.reverseBytes(version);
                if (swapped == 2 || swapped == 3) {
                    throw fail("big-endian GGUF (version " + swapped + ") is not supported; use a little-endian file");
                }
                throw fail("unsupported GGUF version " + Integer.toUnsignedString(version)
                        + " (supported: 2 and 3" + (version == 1 ? "; re-convert the model with a current llama.cpp" : "")
                        + ")");
            }
            long tensorCount = u64();
            long kvCount = u64();
            checkCount(kvCount, 13, "metadata entries");      // key length 8 + type 4 + at least 1 byte of value
            checkCount(tensorCount, 24, "tensors");           // name length 8 + n_dims 4 + type 4 + offset 8

            Map<String, GgufValue> kv = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = pos;
                String key = string("metadata key #", i, null);
                long typeId = u32() & 0xFFFF_FFFFL;
                GgufValueType type = GgufValueType.ofId(typeId);
                if (type == null) {
                    throw fail("metadata key " + ModelFormatException.quote(key) + " has unknown value type "
                            + typeId + " (at offset " + at + ")");
                }
                GgufValue v = value(type, key, 0);
                if (kv.putIfAbsent(key, v) != null) {
                    throw fail("duplicate metadata key " + ModelFormatException.quote(key));
                }
            }
            GgufMetadata metadata = new GgufMetadata(source, kv);
            long alignment = alignment(kv);

            List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
            Map<String, Boolean> names = new HashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                GgufTensorInfo t = tensorInfo(i, alignment);
                if (names.put(t.name(), Boolean.TRUE) != null) {
                    throw fail("duplicate tensor " + ModelFormatException.quote(t.name()));
                }
                tensors.add(t);
            }
            long dataStart = alignUp(pos, alignment);
            for (GgufTensorInfo t : tensors) {
                long bytes = t.byteSize();
                long start = dataStart + t.offset();   // offset < 2^62 and dataStart <= size + alignment: no overflow
                if (start > size || bytes > size - start) {
                    throw fail("tensor " + ModelFormatException.quote(t.name()) + " data [" + start + ", "
                            + (start + bytes) + ") runs past the end of the file (" + size
                            + " bytes); the file is truncated or corrupt");
                }
            }
            return new GgufFile(source, arena, seg, version, metadata, tensors, alignment, dataStart);
        }

        private long alignment(Map<String, GgufValue> kv) {
            GgufValue v = kv.get(ALIGNMENT_KEY);
            if (v == null) {
                return DEFAULT_ALIGNMENT;
            }
            if (v.type() != GgufValueType.UINT32) {
                throw fail(ALIGNMENT_KEY + " must be a uint32, not " + v.type());
            }
            long a = (Long) v.value();
            if (a == 0 || Long.bitCount(a) != 1) {
                throw fail(ALIGNMENT_KEY + " = " + a + " is not a power of two");
            }
            return a;
        }

        private GgufTensorInfo tensorInfo(long index, long alignment) {
            String name = string("name of tensor #", index, null);
            String q = ModelFormatException.quote(name);
            long nDims = u32() & 0xFFFF_FFFFL;
            if (nDims > MAX_DIMS) {
                throw fail("tensor " + q + " has " + nDims + " dimensions (at most " + MAX_DIMS + ")");
            }
            long[] shape = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long ne = u64();
                if (ne < 0) {
                    throw fail("tensor " + q + " has a negative or huge dimension " + Long.toUnsignedString(ne));
                }
                shape[d] = ne;
                if (ne != 0 && elements > Long.MAX_VALUE / ne) {
                    throw fail("tensor " + q + " has too many elements (shape overflows 64 bits)");
                }
                elements *= ne;
            }
            long typeId = u32() & 0xFFFF_FFFFL;
            TensorType type = tensorType(typeId);
            if (type == null) {
                throw fail("tensor " + q + " has unsupported type id " + typeId + " (" + ggmlTypeName(typeId)
                        + "); supported: " + supportedTypes());
            }
            long ne0 = nDims == 0 ? 1 : shape[0];
            if (ne0 % type.blockSize() != 0) {
                throw fail("tensor " + q + " of type " + type + " has a row of " + ne0
                        + " elements, not a multiple of the block size " + type.blockSize());
            }
            // bytes <= elements * 4 < 2^63 / ... : checked so that offset + bytes cannot overflow below
            if (elements > (Long.MAX_VALUE >> 3)) {
                throw fail("tensor " + q + " is impossibly large (" + elements + " elements)");
            }
            long offset = u64();
            if (offset < 0 || offset > (Long.MAX_VALUE >> 2)) {
                throw fail("tensor " + q + " has an impossible data offset " + Long.toUnsignedString(offset));
            }
            if (offset % alignment != 0) {
                throw fail("tensor " + q + " data offset " + offset + " is not a multiple of the alignment "
                        + alignment);
            }
            return new GgufTensorInfo(name, type, shape, offset);
        }

        private GgufValue value(GgufValueType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> GgufValue.uint8(u8() & 0xFF);
                case INT8 -> GgufValue.int8(u8());
                case UINT16 -> GgufValue.uint16(u16() & 0xFFFF);
                case INT16 -> GgufValue.int16(u16());
                case UINT32 -> GgufValue.uint32(u32() & 0xFFFF_FFFFL);
                case INT32 -> GgufValue.int32(u32());
                case UINT64 -> GgufValue.uint64(u64());
                case INT64 -> GgufValue.int64(u64());
                case FLOAT32 -> GgufValue.float32(Float.intBitsToFloat(u32()));
                case FLOAT64 -> GgufValue.float64(Double.longBitsToDouble(u64()));
                case BOOL -> GgufValue.bool(bool(key));
                case STRING -> GgufValue.string(string("value of ", -1, key));
                case ARRAY -> GgufValue.array(array(key, depth + 1));
            };
        }

        private GgufArray array(String key, int depth) {
            String q = ModelFormatException.quote(key);
            if (depth > MAX_ARRAY_DEPTH) {
                throw fail("metadata key " + q + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
            }
            long typeId = u32() & 0xFFFF_FFFFL;
            GgufValueType type = GgufValueType.ofId(typeId);
            if (type == null) {
                throw fail("metadata key " + q + " is an array of unknown value type " + typeId);
            }
            long count = u64();
            if (count < 0 || count > Integer.MAX_VALUE - 8) {
                throw fail("metadata key " + q + " has an absurd array length " + Long.toUnsignedString(count));
            }
            long remaining = size - pos;
            if (count > remaining / type.minEncodedSize()) {
                throw fail("metadata key " + q + ": array of " + count + " " + type + " values needs more than the "
                        + remaining + " bytes left in the file (truncated or corrupt)");
            }
            int n = (int) count;
            Object elements = switch (type) {
                case UINT8, INT8 -> bulk(new byte[n], ValueLayout.JAVA_BYTE, n, 1);
                case UINT16, INT16 -> bulk(new short[n], U16, n, 2);
                case UINT32, INT32 -> bulk(new int[n], U32, n, 4);
                case UINT64, INT64 -> bulk(new long[n], U64, n, 8);
                case FLOAT32 -> bulk(new float[n], F32, n, 4);
                case FLOAT64 -> bulk(new double[n], F64, n, 8);
                case BOOL -> {
                    boolean[] b = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        b[i] = bool(key);
                    }
                    yield b;
                }
                case STRING -> {
                    String[] s = new String[n];
                    for (int i = 0; i < n; i++) {
                        s[i] = string("element ", i, key);
                    }
                    yield s;
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = array(key, depth + 1);
                    }
                    yield a;
                }
            };
            return GgufArray.wrap(type, elements);
        }

        private Object bulk(Object dst, ValueLayout layout, int n, int width) {
            need((long) n * width, "array");
            MemorySegment.copy(seg, layout, pos, dst, 0, n);
            pos += (long) n * width;
            return dst;
        }

        /**
         * Reads a string. The description for errors ({@code what + index + " of 'key'"}) is assembled only on
         * failure: vocabularies hold 10^5 strings.
         */
        private String string(String what, long index, String key) {
            long len = u64();
            if (len < 0 || len > size - pos) {
                throw fail("truncated or corrupt: " + describe(what, index, key) + " has length "
                        + Long.toUnsignedString(len) + " but only " + (size - pos) + " bytes are left (at offset "
                        + (pos - 8) + ")");
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw fail(describe(what, index, key) + " is too long (" + len + " bytes)");
            }
            byte[] b = new byte[(int) len];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        private static String describe(String what, long index, String key) {
            return what + (index >= 0 ? index + (key != null ? " of " : "") : "")
                    + (key != null ? ModelFormatException.quote(key) : "");
        }

        private boolean bool(String key) {
            byte b = u8();
            if (b != 0 && b != 1) {
                throw fail("metadata key " + ModelFormatException.quote(key) + " has invalid bool byte " + (b & 0xFF)
                        + " at offset " + (pos - 1));
            }
            return b == 1;
        }

        private byte u8() {
            need(1, "uint8");
            return seg.get(ValueLayout.JAVA_BYTE, pos++);
        }

        private short u16() {
            need(2, "uint16");
            short v = seg.get(U16, pos);
            pos += 2;
            return v;
        }

        private int u32() {
            need(4, "uint32");
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        private long u64() {
            need(8, "uint64");
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        private void need(long n, String what) {
            if (n > size - pos) {
                throw fail("truncated: needed " + n + " more bytes for a " + what + " at offset " + pos
                        + " but the file has " + size + " bytes");
            }
        }

        private void checkCount(long count, int minBytes, String what) {
            if (count < 0 || count > (size - pos) / minBytes) {
                throw fail("corrupt header: " + Long.toUnsignedString(count) + " " + what
                        + " cannot fit in a file of " + size + " bytes");
            }
        }

        private String magicText() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : " ").append(String.format("%02x", seg.get(ValueLayout.JAVA_BYTE, i) & 0xFF));
            }
            return sb.toString();
        }

        private ModelFormatException fail(String problem) {
            return new ModelFormatException(source, problem);
        }

        private static TensorType tensorType(long id) {
            for (TensorType t : TensorType.values()) {
                if (t.ggmlId() == id) {
                    return t;
                }
            }
            return null;
        }

        private static String supportedTypes() {
            StringBuilder sb = new StringBuilder();
            for (TensorType t : TensorType.values()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t);
            }
            return sb.toString();
        }
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) & -alignment;
    }
}
