package io.braid.gateway.inference;

import java.nio.file.Path;

/**
 * A model the gateway serves. The API layer builds its tokenizer and chat template from {@code file}.
 *
 * @param id the model id clients use (the file name without its extension, e.g. "stories260K")
 * @param file the gateway's local copy (the gateway runs the embedding and the head from it)
 * @param layers transformer layers
 * @param contextLength the context window in tokens (prompt + generated)
 * @param vocabSize vocabulary size
 */
public record ModelInfo(String id, Path file, int layers, int contextLength, int vocabSize) {
}
