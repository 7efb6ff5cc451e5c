package io.braid.model.tokenizer;

import io.braid.model.gguf.GgufFile;
import io.braid.model.testdata.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Readers for the tokenizer test vectors in the shared data (llama.cpp's .inp/.out and run.c's encodings). */
final class TestVectors {

    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    private TestVectors() {
    }

    /** One input string and its expected ids. */
    record Case(int index, String text, int[] expected) {
        @Override
        public String toString() {
            return "case " + index + " " + text.replace("\n", "\\n");
        }
    }

    static Path shared(String relative) {
        Path p = SharedData.root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing shared test file " + p);
        }
        return p;
    }

    /** Cases of an .inp file: each text is followed by the separator. */
    static List<String> inputs(Path inp) {
        String all = read(inp);
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = all.indexOf(SEPARATOR, from)) >= 0) {
            out.add(all.substring(from, at));
            from = at + SEPARATOR.length();
        }
        if (from != all.length()) {
            throw new IllegalStateException(inp + ": text after the last separator");
        }
        return out;
    }

    /** llama.cpp's vectors for a vocab file: ggml-vocab-NAME.gguf.inp/.out. */
    static List<Case> llamaCpp(String vocab) {
        List<String> in = inputs(shared("models/vocab/ggml-vocab-" + vocab + ".gguf.inp"));
        List<String> lines = read(shared("models/vocab/ggml-vocab-" + vocab + ".gguf.out")).lines().toList();
        if (lines.size() != in.size()) {
            throw new IllegalStateException(vocab + ": " + in.size() + " inputs but " + lines.size() + " outputs");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            cases.add(new Case(i, in.get(i), ids(lines.get(i))));
        }
        return cases;
    }

    /** run.c's encodings in reference/tokenizer/FILE ("CASE i: ids") for the inputs of {@code inp}. */
    static List<Case> runC(String file, Path inp) {
        List<String> in = inputs(inp);
        List<String> lines = read(shared("reference/tokenizer/" + file)).lines().toList();
        if (lines.size() != in.size()) {
            throw new IllegalStateException(file + ": " + in.size() + " inputs but " + lines.size() + " outputs");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String line = lines.get(i);
            String prefix = "CASE " + i + ":";
            if (!line.startsWith(prefix)) {
                throw new IllegalStateException(file + ": line " + (i + 1) + " does not start with " + prefix);
            }
            cases.add(new Case(i, in.get(i), ids(line.substring(prefix.length()))));
        }
        return cases;
    }

    static int[] ids(String line) {
        String t = line.strip();
        return t.isEmpty() ? new int[0] : Arrays.stream(t.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }

    static Tokenizer gguf(String vocab) {
        try (GgufFile f = GgufFile.open(shared("models/vocab/ggml-vocab-" + vocab + ".gguf"))) {
            return Tokenizers.fromGguf(f.metadata());
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
