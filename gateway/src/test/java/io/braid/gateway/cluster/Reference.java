package io.braid.gateway.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A reference case from ../shared/reference/stories260K: prompt ids and run.c's greedy output ids. */
record Reference(String name, int[] prompt, int steps, int[] outIds) {

    static Path shared() {
        String prop = System.getProperty("braid.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("../shared");
        if (!Files.isDirectory(shared.resolve("models")))
            throw new IllegalStateException("test data missing: " + shared.toAbsolutePath() + " (CI provides ../shared)");
        return shared;
    }

    static Path stories260K() {
        return shared().resolve("models/stories260K.gguf");
    }

    static Reference load(String name) throws IOException {
        Path f = shared().resolve("reference/stories260K/ids_" + name + ".txt");
        int[] prompt = null, out = null;
        int steps = 0;
        for (String line : Files.readAllLines(f)) {
            if (line.startsWith("PROMPT_IDS")) prompt = ids(line);
            else if (line.startsWith("OUT_IDS")) out = ids(line);
            else if (line.startsWith("STEPS_RUN:")) steps = Integer.parseInt(line.split("\\s+")[1]);
        }
        return new Reference(name, prompt, steps, out);
    }

    private static int[] ids(String line) {
        String rest = line.substring(line.indexOf(':') + 1).trim();
        return rest.isEmpty() ? new int[0] : Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    /** max_tokens that makes the network generate exactly run.c's positions: steps - prompt + 1. */
    int maxTokens() {
        return steps - prompt.length + 1;
    }

    /** The tokens run.c sampled (OUT_IDS after the forced prompt tokens). */
    int[] generated() {
        return Arrays.copyOfRange(outIds, prompt.length - 1, outIds.length);
    }
}
