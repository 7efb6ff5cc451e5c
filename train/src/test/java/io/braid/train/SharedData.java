package io.braid.train;

import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared test data (system property braid.shared, set by surefire); fails if it is missing. */
public final class SharedData {

    private SharedData() {
    }

    public static Path path(String relative) {
        String prop = System.getProperty("braid.shared");
        Path[] candidates = {prop == null ? null : Path.of(prop), Path.of("../shared"), Path.of("../../shared")};
        for (Path c : candidates) {
            if (c != null && Files.exists(c.resolve(relative))) {
                return c.resolve(relative);
            }
        }
        throw new IllegalStateException("test data " + relative + " not found: set -Dbraid.shared to the shared/ directory");
    }

    public static Tokenizer tok512() {
        return Tokenizers.fromLlama2c(path("models/tok512.bin"), 512);
    }

    /** TinyStories 197k tokenized with tok512, 10% validation. */
    public static TokenDataset tinyStories() {
        Tokenizer tok = tok512();
        return TokenDataset.fromText(path("data/tinystories_197k.txt"), tok::encode, tok.bos(), tok.vocabSize(), 0.1);
    }
}
