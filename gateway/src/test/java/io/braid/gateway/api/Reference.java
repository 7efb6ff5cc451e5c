package io.braid.gateway.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The run.c reference outputs for stories260K in {@code ../shared/reference}: prompt ids, the greedy ids and
 * the printed text. Missing shared data fails the test (CI has it).
 */
record Reference(String prompt, int[] promptIds, int[] outIds, String text) {

    static Path shared() {
        String prop = System.getProperty("braid.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("../shared");
        if (!Files.isDirectory(p.resolve("models"))) {
            p = Path.of("../../shared");
        }
        if (!Files.isRegularFile(p.resolve("models/stories260K.gguf"))) {
            throw new IllegalStateException("shared test data not found at " + p.toAbsolutePath()
                    + " (set -Dbraid.shared=/path/to/shared)");
        }
        return p;
    }

    static Path stories() {
        return shared().resolve("models/stories260K.gguf");
    }

    /** Reads {@code ids_t0_<name>_n<steps>.txt}; {@code prompt} is the text the ids came from. */
    static Reference load(String name, int steps, String prompt) {
        Path f = shared().resolve("reference/stories260K/ids_t0_" + name + "_n" + steps + ".txt");
        try {
            List<String> lines = Files.readAllLines(f);
            int[] promptIds = ids(lines, "PROMPT_IDS");
            int[] outIds = ids(lines, "OUT_IDS");
            int begin = lines.indexOf("TEXT_BEGIN");
            int end = lines.indexOf("TEXT_END");
            String text = String.join("\n", lines.subList(begin + 1, end));
            return new Reference(prompt, promptIds, outIds, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ids(List<String> lines, String key) {
        String line = lines.stream().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
        return Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
    }

    /** The tokens the model generated (OUT_IDS less the forced prompt tokens). */
    int[] generatedIds() {
        return Arrays.copyOfRange(outIds, promptIds.length - 1, outIds.length);
    }

    /** The generated text: what run.c printed after the prompt. */
    String completion() {
        if (!text.startsWith(prompt)) {
            throw new IllegalStateException("reference text does not start with the prompt");
        }
        return text.substring(prompt.length());
    }
}
