package io.braid.model.gguf;

import io.braid.model.testdata.SharedData;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {

    @TempDir
    Path dir;

    private static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("t.u8", GgufValue.uint8(255));
        m.put("t.i8", GgufValue.int8(-128));
        m.put("t.u16", GgufValue.uint16(65535));
        m.put("t.i16", GgufValue.int16(-32768));
        m.put("t.u32", GgufValue.uint32(4294967295L));
        m.put("t.i32", GgufValue.int32(Integer.MIN_VALUE));
        m.put("t.u64", GgufValue.uint64(-1L));
        m.put("t.i64", GgufValue.int64(Long.MIN_VALUE));
        m.put("t.f32", GgufValue.float32(-1.25e-7f));
        m.put("t.f64", GgufValue.float64(Math.PI));
        m.put("t.bool", GgufValue.bool(true));
        m.put("t.str", GgufValue.string("héllo ✓ 世界"));
        m.put("t.empty", GgufValue.string(""));
        m.put("a.u8", GgufValue.array(GgufArray.of(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255})));
        m.put("a.i8", GgufValue.array(GgufArray.of(GgufValueType.INT8, new byte[] {-1, 2})));
        m.put("a.u16", GgufValue.array(GgufArray.of(GgufValueType.UINT16, new short[] {(short) 65535, 7})));
        m.put("a.i16", GgufValue.array(GgufArray.of(GgufValueType.INT16, new short[] {-3})));
        m.put("a.u32", GgufValue.array(GgufArray.of(GgufValueType.UINT32, new int[] {-1, 5})));
        m.put("a.i32", GgufValue.array(GgufArray.ofInts(new int[] {-5, 0, 9})));
        m.put("a.u64", GgufValue.array(GgufArray.of(GgufValueType.UINT64, new long[] {-1L})));
        m.put("a.i64", GgufValue.array(GgufArray.of(GgufValueType.INT64, new long[] {Long.MAX_VALUE, -2})));
        m.put("a.f32", GgufValue.array(GgufArray.ofFloats(new float[] {0.5f, Float.NaN, -0f})));
        m.put("a.f64", GgufValue.array(GgufArray.of(GgufValueType.FLOAT64, new double[] {1e300, -0.0})));
        m.put("a.bool", GgufValue.array(GgufArray.of(GgufValueType.BOOL, new boolean[] {true, false, true})));
        m.put("a.str", GgufValue.array(GgufArray.ofStrings(List.of("a", "", "ü"))));
        m.put("a.empty", GgufValue.array(GgufArray.ofStrings(List.of())));
        GgufArray inner1 = GgufArray.ofInts(new int[] {1, 2});
        GgufArray inner2 = GgufArray.ofStrings(List.of("x"));
        GgufArray nested = GgufArray.of(GgufValueType.ARRAY, new GgufArray[] {inner1, inner2,
                GgufArray.of(GgufValueType.ARRAY, new GgufArray[] {inner1})});
        m.put("a.nested", GgufValue.array(nested));
        return m;
    }

    @Test
    void roundTripsEveryValueTypeAndTensorsOfEveryType() {
        SplittableRandom rnd = new SplittableRandom(7);
        Map<TensorType, long[]> shapes = Map.of(TensorType.F32, new long[] {5, 3}, TensorType.F16, new long[] {7},
                TensorType.BF16, new long[] {2, 2, 2}, TensorType.Q8_0, new long[] {64, 3}, TensorType.Q4_0,
                new long[] {32, 5});
        GgufWriter w = new GgufWriter().putAll(everyValueType());
        Map<String, byte[]> expectedBytes = new LinkedHashMap<>();
        for (TensorType t : TensorType.values()) {
            long[] shape = shapes.get(t);
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            byte[] bytes = new byte[(int) t.byteSize(n)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) rnd.nextInt(256);
            }
            expectedBytes.put("tensor." + t, bytes);
            w.addTensor("tensor." + t, t, shape, MemorySegment.ofArray(bytes));
        }
        Path out = dir.resolve("all.gguf");
        w.write(out);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.metadata().entries()).containsExactlyEntriesOf(everyValueType());
            assertThat(f.metadata().getInt("t.u32")).isEqualTo(-1);
            assertThat(f.metadata().getIntArray("a.u16")).containsExactly(65535, 7);
            assertThat(f.metadata().getString("t.str")).isEqualTo("héllo ✓ 世界");
            assertThat(f.tensors()).extracting(GgufTensorInfo::name).containsExactlyElementsOf(expectedBytes.keySet());
            for (GgufTensorInfo t : f.tensors()) {
                assertThat(t.offset() % 32).isZero();
                assertThat(t.shape()).containsExactly(shapes.get(t.type()));
                assertThat(f.tensorData(t.name()).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expectedBytes.get(t.name()));
            }
        }
    }

    @Test
    void honoursACustomAlignmentAndWritesVersion2() {
        Path out = dir.resolve("v2.gguf");
        new GgufWriter(2).put(GgufFile.ALIGNMENT_KEY, GgufValue.uint32(64))
                .addTensor("a", TensorType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1, 2, 3}))
                .addTensor("b", TensorType.F32, new long[] {1}, MemorySegment.ofArray(new float[] {4}))
                .write(out);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.version()).isEqualTo(2);
            assertThat(f.alignment()).isEqualTo(64);
            assertThat(f.dataStart() % 64).isZero();
            assertThat(f.requireTensor("b").offset()).isEqualTo(64);
            assertThat(f.floats("a")).containsExactly(1, 2, 3);
            assertThat(f.floats("b")).containsExactly(4);
        }
    }

    @Test
    void rewritingRealFilesReproducesThemByteForByte() throws IOException {
        for (String name : List.of("stories260K.gguf", "llama-2-tiny-random.gguf", "vocab/ggml-vocab-llama-spm.gguf",
                "vocab/ggml-vocab-gpt-2.gguf")) {
            Path original = SharedData.model(name);
            Path copy = dir.resolve("copy.gguf");
            try (GgufFile f = GgufFile.open(original)) {
                GgufWriter.copyOf(f).write(copy);
            }
            assertThat(Files.mismatch(original, copy)).as(name).isEqualTo(-1L);
        }
    }

    @Test
    void quantizedTensorsWrittenFromFloatsReadBackAsTheSameMatrix() {
        float[] values = new float[64 * 4];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        Path out = dir.resolve("q.gguf");
        try (Arena arena = Arena.ofConfined()) {
            Matrix q8 = Matrix.quantize(TensorType.Q8_0, values, 4, 64, arena);
            new GgufWriter().addTensor("q", TensorType.Q8_0, new long[] {64, 4}, q8.data()).write(out);
            try (GgufFile f = GgufFile.open(out)) {
                Matrix m = f.matrix("q");
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 64; c++) {
                        assertThat(m.get(r, c)).isEqualTo(q8.get(r, c));
                    }
                }
            }
        }
    }

    @Test
    void writtenFilesAreReadableByOthersLikeAnyFileNotOwnerOnlyLikeATempFile() throws IOException {
        Path out = dir.resolve("perm.gguf");
        Path probe = Files.createFile(dir.resolve("probe"));   // what the umask gives a new file
        new GgufWriter().put("k", GgufValue.bool(true)).write(out);
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(probe));
    }

    @Test
    void aFailedWriteLeavesNoFileBehindAndKeepsTheOldOne() throws IOException {
        Path out = dir.resolve("model.gguf");
        Files.writeString(out, "previous content");
        GgufWriter w = new GgufWriter().addTensor("t", TensorType.F32, new long[] {4}, dst -> {
            throw new IllegalStateException("generator failed");
        });
        assertThatThrownBy(() -> w.write(out)).hasMessage("generator failed");
        assertThat(Files.readString(out)).isEqualTo("previous content");
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(out);
        }
    }

    @Test
    void rejectsInvalidTensorsAndAlignment() {
        GgufWriter w = new GgufWriter();
        assertThatThrownBy(() -> w.addTensor("q", TensorType.Q4_0, new long[] {48, 2}, d -> { }))
                .hasMessageContaining("Q4_0 rows must be whole blocks of 32, ne[0] is 48");
        w.addTensor("x", TensorType.F32, new long[] {2}, d -> { });
        assertThatThrownBy(() -> w.addTensor("x", TensorType.F32, new long[] {2}, d -> { }))
                .hasMessage("duplicate tensor x");
        assertThatThrownBy(() -> w.put(GgufFile.ALIGNMENT_KEY, GgufValue.uint32(48)))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.addTensor("y", TensorType.F32, new long[] {3}, MemorySegment.ofArray(new float[2])))
                .hasMessage("tensor y: [3] F32 needs 12 bytes, got 8");
        assertThatThrownBy(() -> GgufValue.uint8(256)).hasMessageContaining("a GGUF uint8 cannot hold 256");
        assertThatThrownBy(() -> GgufArray.of(GgufValueType.UINT32, new long[1]))
                .hasMessage("a GGUF array of uint32 needs a int[], not a long[]");
    }
}
