package io.braid.model.llama;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared test data (system property braid.shared, set by surefire); fails when it is missing. */
final class Shared {

    private Shared() {
    }

    static Path path(String relative) {
        String prop = System.getProperty("braid.shared");
        Path root = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(root)) {
            root = Path.of("..", "..", "shared");
        }
        Path p = root.resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("test data missing: " + p.toAbsolutePath() + " (the shared/ directory must sit beside the repository)");
        }
        return p;
    }

    /** Reference logits of run.c (or llama.cpp): positions 0..3, 512 values each, as parsed floats. */
    static float[][] referenceLogits(Path file, int positions, int vocab) throws java.io.IOException {
        float[][] out = new float[positions][vocab];
        int pos = -1;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("POS ")) {
                pos = Integer.parseInt(line.split(" ")[1]);
            } else if (pos >= 0 && pos < positions && !line.isBlank() && Character.isDigit(line.charAt(0))) {
                String[] parts = line.trim().split("\\s+");
                out[pos][Integer.parseInt(parts[0])] = Float.parseFloat(parts[1]);
            }
        }
        return out;
    }

    /** PROMPT_IDS and OUT_IDS of a run.c ids_*.txt file. */
    record Ids(int[] prompt, int[] out, int steps) {
    }

    static Ids ids(String name) throws java.io.IOException {
        int[] prompt = null, out = null;
        int steps = 0;
        for (String line : Files.readAllLines(path("reference/stories260K/" + name))) {
            if (line.startsWith("PROMPT_IDS")) {
                prompt = parseIds(line);
            } else if (line.startsWith("OUT_IDS")) {
                out = parseIds(line);
            } else if (line.startsWith("STEPS_RUN")) {
                steps = Integer.parseInt(line.split("\\s+")[1]);
            }
        }
        return new Ids(prompt, out, steps);
    }

    private static int[] parseIds(String line) {
        String rest = line.substring(line.indexOf(':') + 1).trim();
        return rest.isEmpty() ? new int[0] : java.util.Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
