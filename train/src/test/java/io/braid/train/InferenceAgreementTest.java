package io.braid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.model.ModelFormatException;
import io.braid.model.llama.KvCache;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Span;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.tensor.Compute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training forward agrees with run.c's logits and with the inference engine on Braid's own checkpoints. */
class InferenceAgreementTest {

    @TempDir
    Path dir;

    @Test
    void trainingForwardMatchesRunCLogitsOfStories260K() throws Exception {
        Checkpoint.Loaded m = Checkpoint.read(SharedData.path("models/stories260K.gguf"));
        List<Integer> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        float[] cur = null;
        for (String line : Files.readAllLines(SharedData.path("reference/stories260K/logits_bos_greedy_pos0-3.txt"))) {
            if (line.startsWith("POS ")) {
                inputs.add(Integer.parseInt(line.split(" ")[3]));
                cur = new float[512];
                expected.add(cur);
            } else if (cur != null && !line.isBlank() && Character.isDigit(line.charAt(0))) {
                String[] p = line.trim().split("\\s+");
                cur[Integer.parseInt(p[0])] = Float.parseFloat(p[1]);
            }
        }
        assertThat(inputs).hasSize(4);
        int[] tokens = inputs.stream().mapToInt(Integer::intValue).toArray();
        try (TrainModel model = new TrainModel(m.shape(), 1)) {
            float[] logits = model.logits(m.params(), tokens);
            for (int t = 0; t < tokens.length; t++) {
                for (int i = 0; i < 512; i++) {
                    assertThat(logits[t * 512 + i]).as("pos %d logit %d", t, i).isCloseTo(expected.get(t)[i], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    private void agreeWithEngine(ModelShape shape, long seed) {
        ParamLayout lay = new ParamLayout(shape);
        float[] w = lay.initialize(seed);
        Random r = new Random(seed);
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (r.nextGaussian() * 0.05); // move away from init: norms != 1, larger weights
        }
        Tokenizer tok = SharedData.tok512();
        Path file = dir.resolve("ckpt-" + seed + ".gguf");
        Checkpoint.write(file, shape, w, tok, "test");
        int[] tokens = {1, 403, 11, 300, 77, 5, 260, 42, 9, 1};
        float[] mine;
        try (TrainModel model = new TrainModel(shape, 1)) {
            mine = model.logits(w, tokens);
        }
        try (LlamaModel engine = LlamaModel.open(file); Compute c = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            assertThat(engine.config().tiedHead()).isEqualTo(shape.tiedEmbeddings());
            Span span = engine.span(0, shape.nLayers());
            KvCache cache = span.newCache(tokens.length);
            float[] x = engine.embedding().lookup(tokens);
            int[] pos = new int[tokens.length];
            KvCache[] caches = new KvCache[tokens.length];
            for (int i = 0; i < tokens.length; i++) {
                pos[i] = i;
                caches[i] = cache;
            }
            span.forward(c, x, tokens.length, pos, caches);
            float[] theirs = new float[tokens.length * shape.vocabSize()];
            engine.head().logits(c, x, tokens.length, theirs);
            for (int i = 0; i < theirs.length; i++) {
                assertThat(mine[i]).as("logit %d", i).isCloseTo(theirs[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
        Checkpoint.Loaded back = Checkpoint.read(file);
        assertThat(back.shape()).isEqualTo(shape);
        assertThat(back.params()).isEqualTo(w);
    }

    @Test
    void checkpointLoadsInTheInferenceEngineWithTheSameLogitsTied() {
        agreeWithEngine(ModelShape.stories260K(64), 11);
    }

    @Test
    void checkpointLoadsInTheInferenceEngineWithTheSameLogitsUntied() {
        agreeWithEngine(new ModelShape(48, 100, 3, 6, 2, 512, 32, false, 10000f, 1e-5f), 12);
    }

    @Test
    void badCheckpointsGetOneLineErrorsNamingTheFile() throws Exception {
        Path junk = dir.resolve("junk.gguf");
        Files.writeString(junk, "not a model");
        assertThatThrownBy(() -> Checkpoint.read(junk)).isInstanceOf(ModelFormatException.class).hasMessageContaining("junk.gguf");
        assertThatThrownBy(() -> Checkpoint.read(dir.resolve("missing.gguf"))).isInstanceOf(RuntimeException.class)
                .hasMessageContaining("missing.gguf");
        ModelShape small = new ModelShape(16, 24, 1, 2, 2, 100, 8, true, 10000f, 1e-5f);
        assertThatThrownBy(() -> Checkpoint.write(dir.resolve("x.gguf"), small, new float[new ParamLayout(small).size()], SharedData.tok512(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
    }
}
