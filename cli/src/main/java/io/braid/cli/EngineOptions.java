package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.llama.LlamaModel;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import io.braid.tensor.Compute;

import java.nio.file.Path;
import java.util.Locale;

/** Option parsing and model/tokenizer wiring shared by the engine commands (generate, bench engine). */
final class EngineOptions {

    private EngineOptions() {
    }

    static Compute.Mode mode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "deterministic" -> Compute.Mode.DETERMINISTIC;
            case "fast" -> Compute.Mode.FAST;
            default -> throw new IllegalArgumentException("--mode must be deterministic or fast, got '" + text + "'");
        };
    }

    static int threads(Integer requested) {
        int n = requested != null ? requested : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 1024) {
            throw new IllegalArgumentException("--threads must be between 1 and 1024, got " + n);
        }
        return n;
    }

    /** The tokenizer for {@code model}: {@code tokenizerBin} if given (llama2.c format), else the GGUF metadata. */
    static Tokenizer tokenizer(LlamaModel model, Path tokenizerBin) {
        int vocab = model.config().vocabSize();
        Tokenizer tok;
        String source;
        if (tokenizerBin != null) {
            tok = Tokenizers.fromLlama2c(tokenizerBin, vocab);
            source = tokenizerBin.toString();
        } else if (model.gguf().isPresent()) {
            tok = Tokenizers.fromGguf(model.gguf().get().metadata());
            source = model.path().toString();
        } else {
            throw new ModelFormatException(model.path(), "a llama2.c checkpoint has no tokenizer inside; "
                    + "pass its tokenizer.bin with --tokenizer");
        }
        tok.checkMatches(vocab, source);
        return tok;
    }

    /** The prompt's ids, starting with BOS when the tokenizer wants one (run.c: always). */
    static int[] promptIds(Tokenizer tok, String prompt) {
        int[] text = tok.encode(prompt);
        if (!tok.addBos() || tok.bos() < 0) {
            if (text.length == 0) {
                throw new IllegalArgumentException("this model has no BOS token, so the prompt must not be empty");
            }
            return text;
        }
        int[] ids = new int[text.length + 1];
        ids[0] = tok.bos();
        System.arraycopy(text, 0, ids, 1, text.length);
        return ids;
    }
}
