package io.braid.model.testdata;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test data ({@code ../shared} beside the checkout). Missing data fails the test. */
public final class SharedData {

    private SharedData() {
    }

    /** The shared directory: system property {@code braid.shared}, else {@code ../shared} from the repo root. */
    public static Path root() {
        String prop = System.getProperty("braid.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop);
        }
        for (Path p : new Path[] {Path.of("../shared"), Path.of("../../shared")}) {
            if (Files.isDirectory(p.resolve("models"))) {
                return p;
            }
        }
        throw new IllegalStateException("shared test data not found: set -Dbraid.shared or place it at ../shared");
    }

    /** A file under {@code shared/models}; fails if it does not exist. */
    public static Path model(String name) {
        Path p = root().resolve("models").resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing shared test file " + p);
        }
        return p;
    }
}
