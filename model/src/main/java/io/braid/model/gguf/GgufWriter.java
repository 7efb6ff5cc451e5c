package io.braid.model.gguf;

import io.braid.tensor.TensorType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a GGUF file (v3 by default, little-endian): metadata of every value type, then a tensor directory and
 * the tensor data, each tensor aligned to {@code general.alignment} (32 unless that key is set). The layout is
 * llama.cpp's, so reading a file and writing it back reproduces it byte for byte.
 *
 * <p>Tensor bytes are produced by {@link TensorSource}s straight into the memory-mapped output, so a
 * multi-gigabyte model never has to fit in the heap. The file appears under its final name only when
 * complete (written to a temporary sibling, then renamed), so a failed write loses nothing. The data is left to the
 * OS to flush (no fsync): like llama.cpp's tools, a crash of the machine itself right after writing can lose it.
 */
public final class GgufWriter {

    /** Fills a tensor's bytes: {@code dst} is exactly the tensor's byte size, zeroed, in GGML's layout. */
    @FunctionalInterface
    public interface TensorSource {
        void fill(MemorySegment dst);
    }

    private record PendingTensor(String name, TensorType type, long[] shape, TensorSource source) {
        long byteSize() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return type.byteSize(n);
        }
    }

    private final int version;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    /** A writer of GGUF version 3. */
    public GgufWriter() {
        this(3);
    }

    /** A writer of GGUF {@code version} 2 or 3 (the two share one layout). */
    public GgufWriter(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("can write GGUF versions 2 and 3, not " + version);
        }
        this.version = version;
    }

    /** A writer pre-filled with {@code file}'s version, metadata and tensors (copied from its mapping on write). */
    public static GgufWriter copyOf(GgufFile file) {
        GgufWriter w = new GgufWriter(file.version());
        w.putAll(file.metadata().entries());
        for (GgufTensorInfo t : file.tensors()) {
            w.addTensor(t.name(), t.type(), t.shape(), dst -> dst.copyFrom(file.tensorData(t.name())));
        }
        return w;
    }

    /** Sets {@code key} (a new key goes last; an existing key keeps its position). */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.equals(GgufFile.ALIGNMENT_KEY)) {
            if (value.type() != GgufValueType.UINT32 || Long.bitCount((Long) value.value()) != 1) {
                throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a uint32 power of two, not "
                        + value);
            }
        }
        metadata.put(key, value);
        return this;
    }

    /** {@link #put} for each entry, in the map's order. */
    public GgufWriter putAll(Map<String, GgufValue> entries) {
        entries.forEach(this::put);
        return this;
    }

    /** Removes {@code key} if present. */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** The metadata as it will be written. */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /**
     * Adds a tensor of {@code shape} (GGUF order: ne[0] is the contiguous dimension) whose bytes {@code source}
     * writes when the file is written. Tensors are written in the order added.
     */
    public GgufWriter addTensor(String name, TensorType type, long[] shape, TensorSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        if (shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor " + name + ": at most " + GgufFile.MAX_DIMS + " dimensions");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + ": negative dimension in " + Arrays.toString(shape));
            }
        }
        long ne0 = shape.length == 0 ? 1 : shape[0];
        if (ne0 % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": " + type + " rows must be whole blocks of "
                    + type.blockSize() + ", ne[0] is " + ne0);
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        tensors.add(new PendingTensor(name, type, shape.clone(), source));
        return this;
    }

    /** Adds a tensor whose bytes are a copy of {@code data} (which must have exactly the tensor's size). */
    public GgufWriter addTensor(String name, TensorType type, long[] shape, MemorySegment data) {
        PendingTensor probe = new PendingTensor(name, type, shape, d -> { });
        if (data.byteSize() != probe.byteSize()) {
            throw new IllegalArgumentException("tensor " + name + ": " + Arrays.toString(shape) + " " + type + " needs "
                    + probe.byteSize() + " bytes, got " + data.byteSize());
        }
        return addTensor(name, type, shape, dst -> dst.copyFrom(data));
    }

    /**
     * Writes the file to {@code out} (replacing it). I/O failures become an {@link UncheckedIOException} naming the
     * file; a partial file never appears under {@code out}.
     */
    public void write(Path out) {
        long alignment = metadata.containsKey(GgufFile.ALIGNMENT_KEY)
                ? (Long) metadata.get(GgufFile.ALIGNMENT_KEY).value() : GgufFile.DEFAULT_ALIGNMENT;
        byte[] header = header(alignment);
        // llama.cpp pads after the directory and after every tensor; a file without tensors ends at its metadata
        long dataStart = tensors.isEmpty() ? header.length : GgufFile.alignUp(header.length, alignment);
        long[] offsets = new long[tensors.size()];
        long total = dataStart;
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i] = total - dataStart;
            total = GgufFile.alignUp(total + tensors.get(i).byteSize(), alignment);
        }
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // not Files.createTempFile: that makes the file owner-only (0600); a model file gets the usual umask
            tmp = dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                    + ".partial");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
                 Arena arena = Arena.ofShared()) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                MemorySegment.copy(header, 0, seg, ValueLayout.JAVA_BYTE, 0, header.length);
                for (int i = 0; i < tensors.size(); i++) {
                    PendingTensor t = tensors.get(i);
                    t.source().fill(seg.asSlice(dataStart + offsets[i], t.byteSize()));
                }
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the original error is the one worth reporting
                }
            }
        }
    }

    private byte[] header(long alignment) {
        Encoder e = new Encoder();
        e.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        e.u32(version);
        e.u64(tensors.size());
        e.u64(metadata.size());
        metadata.forEach((k, v) -> {
            e.string(k);
            e.u32(v.type().id());
            e.value(v);
        });
        long offset = 0;
        for (PendingTensor t : tensors) {
            e.string(t.name());
            e.u32(t.shape().length);
            for (long d : t.shape()) {
                e.u64(d);
            }
            e.u32(t.type().ggmlId());
            e.u64(offset);
            offset = GgufFile.alignUp(offset + t.byteSize(), alignment);
        }
        return e.toByteArray();
    }

    /** Little-endian GGUF value encoding into a growable buffer. */
    private static final class Encoder extends ByteArrayOutputStream {

        Encoder() {
            super(1 << 16);
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }

        void u8(int v) {
            write(v);
        }

        void u16(int v) {
            write(v);
            write(v >>> 8);
        }

        void u32(long v) {
            for (int i = 0; i < 4; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        void u64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void value(GgufValue v) {
            Object o = v.value();
            switch (v.type()) {
                case UINT8, INT8 -> u8((Integer) o);
                case UINT16, INT16 -> u16((Integer) o);
                case UINT32 -> u32((Long) o);
                case INT32 -> u32((Integer) o);
                case UINT64, INT64 -> u64((Long) o);
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) o));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) o));
                case BOOL -> u8((Boolean) o ? 1 : 0);
                case STRING -> string((String) o);
                case ARRAY -> array((GgufArray) o);
            }
        }

        void array(GgufArray a) {
            u32(a.elementType().id());
            u64(a.length());
            switch (a.raw()) {
                case byte[] b -> bytes(b);
                case short[] s -> {
                    for (short x : s) {
                        u16(x);
                    }
                }
                case int[] ints -> {
                    for (int x : ints) {
                        u32(x);
                    }
                }
                case long[] ls -> {
                    for (long x : ls) {
                        u64(x);
                    }
                }
                case float[] fs -> {
                    for (float x : fs) {
                        u32(Float.floatToRawIntBits(x));
                    }
                }
                case double[] ds -> {
                    for (double x : ds) {
                        u64(Double.doubleToRawLongBits(x));
                    }
                }
                case boolean[] bs -> {
                    for (boolean x : bs) {
                        u8(x ? 1 : 0);
                    }
                }
                case String[] ss -> {
                    for (String x : ss) {
                        string(x);
                    }
                }
                case GgufArray[] nested -> {
                    for (GgufArray x : nested) {
                        array(x);
                    }
                }
                default -> throw new IllegalStateException("unexpected array storage " + a.raw().getClass());
            }
        }
    }
}
