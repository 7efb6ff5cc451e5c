package io.braid.model.llama2c;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufFile;
import io.braid.model.llama2c.Llama2cCheckpoint.Config;
import io.braid.model.llama2c.Llama2cCheckpoint.Weight;
import io.braid.model.testdata.SharedData;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Llama2cCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void readsStories260kAndAgreesWithTheSameWeightsInGguf() {
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(SharedData.model("stories260K.bin"));
             GgufFile gguf = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertThat(ck.config()).isEqualTo(new Config(64, 172, 5, 8, 4, 512, 512, true));
            assertThat(ck.config().headSize()).isEqualTo(8);
            assertThat(ck.config().kvDim()).isEqualTo(32);
            assertSame(ck.matrix(Weight.TOKEN_EMBEDDING), gguf.matrix("token_embd.weight"));
            assertSame(ck.matrix(Weight.CLASSIFIER), gguf.matrix("output.weight"));
            assertThat(ck.segment(Weight.CLASSIFIER).address()).isEqualTo(ck.segment(Weight.TOKEN_EMBEDDING).address());
            assertThat(ck.floats(Weight.RMS_FINAL)).containsExactly(gguf.floats("output_norm.weight"));
            for (int l = 0; l < 5; l++) {
                String b = "blk." + l + ".";
                assertThat(ck.floats(Weight.RMS_ATT, l)).containsExactly(gguf.floats(b + "attn_norm.weight"));
                assertThat(ck.floats(Weight.RMS_FFN, l)).containsExactly(gguf.floats(b + "ffn_norm.weight"));
                assertSame(ck.matrix(Weight.WV, l), gguf.matrix(b + "attn_v.weight"));
                assertSame(ck.matrix(Weight.WO, l), gguf.matrix(b + "attn_output.weight"));
                assertSame(ck.matrix(Weight.W1, l), gguf.matrix(b + "ffn_gate.weight"));
                assertSame(ck.matrix(Weight.W2, l), gguf.matrix(b + "ffn_down.weight"));
                assertSame(ck.matrix(Weight.W3, l), gguf.matrix(b + "ffn_up.weight"));
                Matrix wk = ck.matrix(Weight.WK, l);
                assertThat(wk.rows()).isEqualTo(32);
                assertThat(wk.cols()).isEqualTo(64);
            }
            assertThat(ck.segment(Weight.WQ, 2).isMapped()).isTrue();
        }
    }

    private static void assertSame(Matrix a, Matrix b) {
        assertThat(a.type()).isEqualTo(TensorType.F32);
        assertThat(a.rows()).isEqualTo(b.rows());
        assertThat(a.cols()).isEqualTo(b.cols());
        float[] ra = new float[a.cols()];
        float[] rb = new float[b.cols()];
        for (int r = 0; r < a.rows(); r++) {
            a.dequantizeRow(r, ra, 0);
            b.dequantizeRow(r, rb, 0);
            assertThat(ra).as("row " + r).containsExactly(rb);
        }
    }

    /** Writes a checkpoint whose every float encodes (weight, index), so slices can be checked exactly. */
    private Path synthetic(int[] header, boolean untied, int extraBytes) throws IOException {
        Config c = new Config(header[0], header[1], header[2], header[3], header[4], Math.abs(header[5]), header[6],
                !untied);
        long floats = 0;
        for (Weight w : Weight.values()) {
            if (w == Weight.CLASSIFIER && !untied) {
                continue;
            }
            int[] s = w.shape(c);
            floats += (long) s[0] * s[1] * (w.perLayer() ? c.nLayers() : 1);
        }
        ByteBuffer b = ByteBuffer.allocate((int) (28 + floats * 4 + Math.max(0, extraBytes)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 7; i++) {
            b.putInt(i == 5 && untied ? -Math.abs(header[5]) : header[i]);
        }
        for (Weight w : Weight.values()) {
            if (w == Weight.CLASSIFIER && !untied) {
                continue;
            }
            int[] s = w.shape(c);
            long n = (long) s[0] * s[1] * (w.perLayer() ? c.nLayers() : 1);
            for (long i = 0; i < n; i++) {
                b.putFloat(w.ordinal() * 100_000 + i);
            }
        }
        byte[] bytes = Arrays.copyOf(b.array(), b.capacity() + Math.min(0, extraBytes));
        return Files.write(dir.resolve("ck.bin"), bytes);
    }

    @Test
    void untiedClassifierAndPerLayerSlicesAreAtRunCsOffsets() throws IOException {
        // dim 16, hidden 24, 3 layers, 4 heads, 2 kv heads, vocab 10 (untied), seq 6
        Path p = synthetic(new int[] {16, 24, 3, 4, 2, 10, 6}, true, 0);
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(p)) {
            Config c = ck.config();
            assertThat(c.sharedClassifier()).isFalse();
            assertThat(c.vocabSize()).isEqualTo(10);
            Matrix wk1 = ck.matrix(Weight.WK, 1);
            assertThat(wk1.rows()).isEqualTo(8);
            assertThat(wk1.cols()).isEqualTo(16);
            // layer 1 of wk starts after layer 0's 8*16 floats
            assertThat(wk1.get(0, 0)).isEqualTo(Weight.WK.ordinal() * 100_000 + 128);
            assertThat(wk1.get(7, 15)).isEqualTo(Weight.WK.ordinal() * 100_000 + 255);
            Matrix w2 = ck.matrix(Weight.W2, 2);
            assertThat(w2.rows()).isEqualTo(16);
            assertThat(w2.cols()).isEqualTo(24);
            assertThat(w2.get(1, 0)).isEqualTo(Weight.W2.ordinal() * 100_000 + 2 * 384 + 24);
            assertThat(ck.floats(Weight.RMS_FFN, 2)[3]).isEqualTo(Weight.RMS_FFN.ordinal() * 100_000 + 35);
            Matrix cls = ck.matrix(Weight.CLASSIFIER);
            assertThat(cls.rows()).isEqualTo(10);
            assertThat(cls.get(9, 15)).isEqualTo(Weight.CLASSIFIER.ordinal() * 100_000 + 159);
            assertThat(ck.floats(Weight.FREQ_CIS_IMAG)).hasSize(6 * 2);
            assertThatThrownBy(() -> ck.segment(Weight.WQ, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> ck.segment(Weight.WQ)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private String problemOf(Path p) {
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(p)) {
            throw new AssertionError("opened " + ck);
        } catch (ModelFormatException e) {
            assertThat(e.getMessage()).startsWith(p + ": ").doesNotContain("\n");
            return e.getMessage().substring(p.toString().length() + 2);
        }
    }

    @Test
    void sizeMismatchesAndBadHeadersAreOneLineErrors() throws IOException {
        int[] ok = {16, 24, 3, 4, 2, 10, 6};
        assertThat(problemOf(synthetic(ok, false, -4))).isEqualTo("truncated: the header (dim 16, hidden_dim 24,"
                + " n_layers 3, n_heads 4, n_kv_heads 2, vocab_size 10, seq_len 6) needs 24252 bytes but the file has 24248");
        assertThat(problemOf(synthetic(ok, true, 4))).startsWith("size mismatch: the header (dim 16, hidden_dim 24,"
                + " n_layers 3, n_heads 4, n_kv_heads 2, vocab_size -10, seq_len 6) needs ").endsWith(
                " (wrong header, or not a legacy llama2.c checkpoint)");
        Path shortFile = Files.write(dir.resolve("short.bin"), new byte[12]);
        assertThat(problemOf(shortFile)).isEqualTo("not a llama2.c checkpoint: 12 bytes is too short for the 28-byte header");
        assertThat(problemOf(header(dir.resolve("zero.bin"), 0, 24, 3, 4, 2, 10, 6)))
                .isEqualTo("not a llama2.c checkpoint: header (dim 0, hidden_dim 24, n_layers 3, n_heads 4,"
                        + " n_kv_heads 2, vocab_size 10, seq_len 6) has a zero or negative size");
        assertThat(problemOf(header(dir.resolve("heads.bin"), 16, 24, 3, 5, 5, 10, 6)))
                .endsWith("dim must split into n_heads heads of even size");
        assertThat(problemOf(header(dir.resolve("kv.bin"), 16, 24, 3, 4, 3, 10, 6)))
                .endsWith("n_heads must be a multiple of n_kv_heads");
        assertThat(problemOf(header(dir.resolve("huge.bin"), 1 << 30, 1 << 30, 1 << 30, 2, 2, 1 << 30, 1 << 30)))
                .isEqualTo("not a llama2.c checkpoint: the header's sizes overflow");
        assertThat(problemOf(header(dir.resolve("ak42.bin"), 0x616b3432, 2, 0, 0, 0, 0, 0)))
                .isEqualTo("llama2.c export version 2 (magic 'ak42') is not supported; export the legacy format"
                        + " (export.py --version 0)");
        Path missing = dir.resolve("missing.bin");
        assertThat(problemOf(missing)).isEqualTo("no such file");
        // a GGUF file is not a checkpoint: its "header" implies a different size
        assertThat(problemOf(SharedData.model("stories260K.gguf"))).startsWith("not a llama2.c checkpoint");
    }

    private static Path header(Path p, int... h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + 64).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : h) {
            b.putInt(v);
        }
        return Files.write(p, b.array());
    }
}
