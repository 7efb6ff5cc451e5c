package io.braid.node;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared (system property braid.shared, set by surefire); fails, never skips, when it is missing. */
final class SharedData {
    private SharedData() {}

    static Path stories260K() {
        String prop = System.getProperty("braid.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("../shared");
        Path p = shared.resolve("models/stories260K.gguf");
        if (!Files.isRegularFile(p)) throw new IllegalStateException("test data missing: " + p.toAbsolutePath() + " (CI provides ../shared)");
        return p;
    }
}
