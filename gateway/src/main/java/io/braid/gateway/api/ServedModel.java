package io.braid.gateway.api;

import io.braid.gateway.inference.ModelInfo;
import io.braid.model.ModelFormatException;
import io.braid.model.chat.ChatTemplate;
import io.braid.model.gguf.GgufFile;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;

/**
 * A model as the HTTP layer needs it: the cluster's view plus the tokenizer and chat template read from the
 * gateway's own copy of the file (the gateway tokenizes; nodes only see activations).
 *
 * @param config         the model's shape (FLOP accounting for billing)
 * @param chatStopTokens ids that end an assistant turn in chat completions (the template's end-of-turn token, EOS)
 */
record ServedModel(ModelInfo info, LlamaConfig config, Tokenizer tokenizer, ChatTemplate chatTemplate,
                   int[] chatStopTokens) {

    /** Reads the tokenizer and chat template of {@code info.file()}, which must be a GGUF file (it carries both). */
    static ServedModel load(ModelInfo info) {
        String name = info.file().getFileName().toString();
        if (!name.endsWith(".gguf")) {
            throw new ModelFormatException(info.file(), "the gateway serves GGUF models (they carry the tokenizer"
                    + " and chat template); convert it or pass the .gguf file with --model");
        }
        LlamaConfig config;
        try (LlamaModel model = LlamaModel.open(info.file())) {
            config = model.config();
        }
        try (GgufFile gguf = GgufFile.open(info.file())) {
            Tokenizer tokenizer = Tokenizers.fromGguf(gguf.metadata());
            ChatTemplate template = ChatTemplate.detect(gguf.metadata(), tokenizer);
            return new ServedModel(info, config, tokenizer, template, template.stopTokens(tokenizer));
        }
    }

    String id() {
        return info.id();
    }
}
