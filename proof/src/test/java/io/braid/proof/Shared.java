package io.braid.proof;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared test data (system property braid.shared, set by surefire); fails when it is missing. */
final class Shared {
    private Shared() {
    }

    static Path dir() {
        String prop = System.getProperty("braid.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p)) p = Path.of("..", "..", "shared");
        if (!Files.isDirectory(p)) throw new AssertionError("test data ../shared is missing (looked at " + p.toAbsolutePath() + ")");
        return p;
    }

    static Path stories() {
        Path f = dir().resolve("models/stories260K.bin");
        if (!Files.isRegularFile(f)) throw new AssertionError("missing test model " + f);
        return f;
    }
}
