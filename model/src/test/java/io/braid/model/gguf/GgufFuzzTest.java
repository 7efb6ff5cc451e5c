package io.braid.model.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.braid.model.ModelFormatException;

import java.lang.foreign.MemorySegment;

/**
 * Fuzzes the GGUF parser: any input must either open or fail with a {@link ModelFormatException} — never another
 * exception, an OutOfMemoryError or a hang. In plain {@code mvn verify} runs Jazzer only replays the seed inputs
 * in {@code GgufFuzzTestInputs/parse}; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class GgufFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] input) {
        try (GgufFile f = GgufFile.parse("fuzz", MemorySegment.ofArray(input), null)) {
            // Exercise what callers do with an opened file: every accessor must stay within the checked bounds.
            f.metadata().asMap().forEach((k, v) -> f.metadata().value(k).toString());
            for (GgufTensorInfo t : f.tensors()) {
                f.tensorData(t.name());
                try {
                    f.matrix(t.name()).get(0, 0);
                } catch (ModelFormatException expected) {
                    // a 3-D or empty tensor is not a matrix: reported, fine
                }
                if (t.elementCount() <= 4096) {
                    f.floats(t.name());
                }
            }
        } catch (ModelFormatException expected) {
            // the one permitted way to fail
        }
    }
}
