package io.braid.model.gguf;

import io.braid.model.ModelFormatException;
import io.braid.model.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Every kind of broken GGUF gives a one-line ModelFormatException "<file>: <problem>", never another exception. */
class GgufCorruptFileTest {

    @TempDir
    Path dir;

    private static final int F32 = 0;

    /** Writes {@code bytes} to a file, opens it and returns the problem part of the error message. */
    private String problemOf(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("broken.gguf"), bytes);
        try (GgufFile f = GgufFile.open(file)) {
            return fail("expected a ModelFormatException, opened " + f);
        } catch (ModelFormatException e) {
            assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
            return e.getMessage().substring(file.toString().length() + 2);
        }
    }

    /** A valid one-tensor file: 2 keys, tensor "w" F32 [4, 2] with 32 bytes of data. */
    private static RawGguf validPrefix() {
        return RawGguf.header(3, 1, 2).kvU32("general.alignment", 32)
                .str("general.architecture").u32(GgufValueType.STRING.id()).str("llama")
                .tensor("w", F32, 0, 4, 2);
    }

    @Test
    void theValidBaselineOpens() throws IOException {
        byte[] bytes = validPrefix().pad(32).zeros(32).toByteArray();
        Path file = Files.write(dir.resolve("ok.gguf"), bytes);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.matrix("w").rows()).isEqualTo(2);
            assertThat(f.metadata().getString("general.architecture")).isEqualTo("llama");
        }
    }

    @Test
    void missingFileAndEmptyFile() throws IOException {
        Path missing = dir.resolve("missing.gguf");
        assertThatThrownBy(() -> GgufFile.open(missing)).isInstanceOf(ModelFormatException.class)
                .hasMessage(missing + ": no such file");
        assertThat(problemOf(new byte[0])).isEqualTo("not a GGUF file (only 0 bytes, expected 'GGUF')");
        assertThatThrownBy(() -> GgufFile.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(dir + ": cannot read");
    }

    @Test
    void badMagic() throws IOException {
        assertThat(problemOf("GGML....................".getBytes()))
                .isEqualTo("not a GGUF file (magic is 47 47 4d 4c, expected 'GGUF')");
    }

    @Test
    void unsupportedVersions() throws IOException {
        assertThat(problemOf(RawGguf.header(1, 0, 0).toByteArray()))
                .isEqualTo("unsupported GGUF version 1 (supported: 2 and 3; re-convert the model with a current llama.cpp)");
        assertThat(problemOf(RawGguf.header(4, 0, 0).toByteArray()))
                .isEqualTo("unsupported GGUF version 4 (supported: 2 and 3)");
        assertThat(problemOf(RawGguf.header(0x03000000, 0, 0).toByteArray()))
                .isEqualTo("big-endian GGUF (version 3) is not supported; use a little-endian file");
        try (GgufFile f = GgufFile.parse("v2", MemorySegment.ofArray(RawGguf.header(2, 0, 0).toByteArray()), null)) {
            assertThat(f.version()).isEqualTo(2);
        }
    }

    @Test
    void truncatedHeader() throws IOException {
        assertThat(problemOf("GGUF\3\0\0\0".getBytes())).isEqualTo("truncated: 8 bytes is too short for a GGUF header");
        byte[] kvCut = RawGguf.header(3, 0, 1).str("general.name").u32(GgufValueType.STRING.id()).u64(10)
                .bytes("abc".getBytes()).toByteArray();
        assertThat(problemOf(kvCut)).startsWith("truncated or corrupt: value of 'general.name' has length 10 but only 3 bytes are left");
    }

    @Test
    void everyPrefixOfARealFileFailsCleanly() throws IOException {
        byte[] full = Files.readAllBytes(SharedData.model("stories260K.gguf"));
        int dataStart = 14176;
        for (int len = 0; len < full.length; len += (len < 1024 ? 1 : len < dataStart + 64 ? 37 : 4099)) {
            MemorySegment prefix = MemorySegment.ofArray(full).asSlice(0, len);
            try (GgufFile f = GgufFile.parse("cut", prefix, null)) {
                fail("a prefix of " + len + " bytes opened: " + f);
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith("cut: ").doesNotContain("\n");
            }
        }
        MemorySegment cut = MemorySegment.ofArray(full).asSlice(0, full.length - 1);
        assertThatThrownBy(() -> GgufFile.parse("cut", cut, null))
                .hasMessage("cut: tensor 'blk.4.ffn_norm.weight' data [1185120, 1185376) runs past the end of the file"
                        + " (1185375 bytes); the file is truncated or corrupt");
    }

    @Test
    void unknownTensorTypeNamesTheTensorAndTheTypeId() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensor("blk.3.ffn_down.weight", 12, 0, 256, 4).pad(32).zeros(4096)
                .toByteArray();
        assertThat(problemOf(b)).isEqualTo("tensor 'blk.3.ffn_down.weight' has unsupported type id 12 (Q4_K);"
                + " supported: F32, F16, BF16, Q8_0, Q4_0");
        byte[] c = RawGguf.header(3, 1, 0).tensor("x", 4000, 0, 4).toByteArray();
        assertThat(problemOf(c)).startsWith("tensor 'x' has unsupported type id 4000 (unknown)");
    }

    @Test
    void tensorDataPastTheEnd() throws IOException {
        byte[] b = RawGguf.header(3, 1, 0).tensor("w", F32, 1L << 40, 4, 2).pad(32).zeros(32).toByteArray();
        assertThat(problemOf(b)).contains("tensor 'w' data [").contains("runs past the end of the file");
        byte[] noData = validPrefix().toByteArray();
        assertThat(problemOf(noData)).contains("tensor 'w' data [").contains("runs past the end");
    }

    @Test
    void absurdLengthsAndCountsNeitherAllocateNorOverflow() throws IOException {
        byte[] hugeKey = RawGguf.header(3, 0, 1).u64(1L << 62).zeros(16).toByteArray();
        assertThat(problemOf(hugeKey)).startsWith("truncated or corrupt: metadata key #0 has length 4611686018427387904");
        byte[] negKey = RawGguf.header(3, 0, 1).u64(-1L).zeros(16).toByteArray();
        assertThat(problemOf(negKey)).startsWith("truncated or corrupt: metadata key #0 has length 18446744073709551615");
        byte[] hugeArray = RawGguf.header(3, 0, 1).str("a").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.UINT64.id()).u64(1L << 62).zeros(64).toByteArray();
        assertThat(problemOf(hugeArray)).isEqualTo("metadata key 'a' has an absurd array length 4611686018427387904");
        byte[] bigArray = RawGguf.header(3, 0, 1).str("a").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.STRING.id()).u64(1_000_000).zeros(64).toByteArray();
        assertThat(problemOf(bigArray)).startsWith("metadata key 'a': array of 1000000 string values needs more than");
        byte[] manyKvs = RawGguf.header(3, 0, 1L << 62).toByteArray();
        assertThat(problemOf(manyKvs)).isEqualTo("corrupt header: 4611686018427387904 metadata entries cannot fit in a file of 24 bytes");
        byte[] manyTensors = RawGguf.header(3, -1L, 0).toByteArray();
        assertThat(problemOf(manyTensors)).isEqualTo("corrupt header: 18446744073709551615 tensors cannot fit in a file of 24 bytes");
        byte[] hugeDims = RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1L << 40, 1L << 40).zeros(64).toByteArray();
        assertThat(problemOf(hugeDims)).isEqualTo("tensor 'w' has too many elements (shape overflows 64 bits)");
        byte[] bigDims = RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1L << 30, 1L << 29).zeros(64).toByteArray();
        assertThat(problemOf(bigDims)).contains("runs past the end");
        byte[] negDim = RawGguf.header(3, 1, 0).tensor("w", F32, 0, -5).zeros(64).toByteArray();
        assertThat(problemOf(negDim)).isEqualTo("tensor 'w' has a negative or huge dimension 18446744073709551611");
        byte[] hugeOffset = RawGguf.header(3, 1, 0).tensor("w", F32, -32L, 4).zeros(64).toByteArray();
        assertThat(problemOf(hugeOffset)).isEqualTo("tensor 'w' has an impossible data offset 18446744073709551584");
    }

    @Test
    void malformedMetadata() throws IOException {
        byte[] unknownType = RawGguf.header(3, 0, 1).str("k").u32(13).zeros(8).toByteArray();
        assertThat(problemOf(unknownType)).isEqualTo("metadata key 'k' has unknown value type 13 (at offset 24)");
        byte[] unknownElem = RawGguf.header(3, 0, 1).str("k").u32(9).u32(77).u64(1).zeros(8).toByteArray();
        assertThat(problemOf(unknownElem)).isEqualTo("metadata key 'k' is an array of unknown value type 77");
        byte[] badBool = RawGguf.header(3, 0, 1).str("k").u32(7).u8(2).toByteArray();
        assertThat(problemOf(badBool)).isEqualTo("metadata key 'k' has invalid bool byte 2 at offset 37");
        byte[] dup = RawGguf.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2).toByteArray();
        assertThat(problemOf(dup)).isEqualTo("duplicate metadata key 'k'");
        byte[] controlChars = RawGguf.header(3, 0, 1).str("k\nx").u32(13).toByteArray();
        assertThat(problemOf(controlChars)).isEqualTo("metadata key 'k\\x0ax' has unknown value type 13 (at offset 24)");
        RawGguf deep = RawGguf.header(3, 0, 1).str("deep").u32(9);
        for (int i = 0; i < 40; i++) {
            deep.u32(9).u64(1);
        }
        assertThat(problemOf(deep.zeros(16).toByteArray())).isEqualTo("metadata key 'deep' nests arrays deeper than 16");
    }

    @Test
    void badAlignment() throws IOException {
        byte[] notPow2 = RawGguf.header(3, 0, 1).kvU32("general.alignment", 24).toByteArray();
        assertThat(problemOf(notPow2)).isEqualTo("general.alignment = 24 is not a power of two");
        byte[] zero = RawGguf.header(3, 0, 1).kvU32("general.alignment", 0).toByteArray();
        assertThat(problemOf(zero)).isEqualTo("general.alignment = 0 is not a power of two");
        byte[] wrongType = RawGguf.header(3, 0, 1).str("general.alignment").u32(GgufValueType.INT32.id()).u32(32)
                .toByteArray();
        assertThat(problemOf(wrongType)).isEqualTo("general.alignment must be a uint32, not int32");
        byte[] misaligned = RawGguf.header(3, 1, 0).tensor("w", F32, 4, 4).pad(32).zeros(64).toByteArray();
        assertThat(problemOf(misaligned)).isEqualTo("tensor 'w' data offset 4 is not a multiple of the alignment 32");
    }

    @Test
    void malformedTensorDirectory() throws IOException {
        byte[] fiveDims = RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1, 1, 1, 1, 1).zeros(64).toByteArray();
        assertThat(problemOf(fiveDims)).isEqualTo("tensor 'w' has 5 dimensions (at most 4)");
        byte[] dup = RawGguf.header(3, 2, 0).tensor("w", F32, 0, 4).tensor("w", F32, 32, 4).pad(32).zeros(64)
                .toByteArray();
        assertThat(problemOf(dup)).isEqualTo("duplicate tensor 'w'");
        byte[] partialBlock = RawGguf.header(3, 1, 0).tensor("q", 8, 0, 48, 2).pad(32).zeros(256).toByteArray();
        assertThat(problemOf(partialBlock))
                .isEqualTo("tensor 'q' of type Q8_0 has a row of 48 elements, not a multiple of the block size 32");
    }

    @Test
    void nonMatrixUsesAreReportedNotThrownAsIndexErrors() throws IOException {
        byte[] b = RawGguf.header(3, 2, 0).tensor("cube", F32, 0, 2, 2, 2).tensor("empty", F32, 32, 4, 0)
                .pad(32).zeros(64).toByteArray();
        try (GgufFile f = GgufFile.parse("t", MemorySegment.ofArray(b), null)) {
            assertThatThrownBy(() -> f.matrix("cube")).isInstanceOf(ModelFormatException.class)
                    .hasMessage("t: tensor 'cube' has shape [2, 2, 2], not a matrix");
            assertThatThrownBy(() -> f.matrix("empty")).isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith("t: tensor 'empty' cannot be used as a 0 x 4 matrix");
            assertThat(f.floats("empty")).isEmpty();
            assertThat(f.floats("cube")).hasSize(8);
        }
    }

    @Test
    void randomByteCorruptionOfARealHeaderNeverEscapesAsAnotherException() throws IOException {
        byte[] full = Files.readAllBytes(SharedData.model("stories260K.gguf"));
        SplittableRandom rnd = new SplittableRandom(42);
        int opened = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = full;   // corrupted in place and restored below: copying 1 MB per trial is the slow part
            int flips = 1 + rnd.nextInt(4);
            int[] at = new int[flips];
            byte[] was = new byte[flips];
            for (int i = 0; i < flips; i++) {
                at[i] = rnd.nextInt(14176);   // the header, metadata and tensor directory
                was[i] = b[at[i]];
                b[at[i]] = (byte) rnd.nextInt(256);
            }
            try (GgufFile f = GgufFile.parse("flip", MemorySegment.ofArray(b), null)) {
                opened++;
                for (GgufTensorInfo t : f.tensors()) {
                    assertThat(f.tensorData(t.name()).byteSize()).isEqualTo(t.byteSize());
                }
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith("flip: ").doesNotContain("\n");
            }
            for (int i = flips - 1; i >= 0; i--) {
                b[at[i]] = was[i];
            }
        }
        assertThat(opened).isPositive();   // most flips land in token strings and leave a valid file
    }
}
