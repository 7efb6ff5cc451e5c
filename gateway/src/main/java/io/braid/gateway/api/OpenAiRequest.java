package io.braid.gateway.api;

import java.util.List;
import java.util.Optional;

/**
 * A validated {@code /v1/completions} or {@code /v1/chat/completions} request.
 *
 * @param model       the model id asked for
 * @param prompt      the text prompt (completions), or the messages (chat)
 * @param maxTokens   the cap on generated tokens, empty when the client left it to the server
 * @param temperature 0 = greedy
 * @param topP        nucleus sampling mass, in (0, 1]
 * @param seed        the sampler's seed, empty = the server picks one
 * @param stop        stop sequences (at most 4, none empty)
 * @param stream      answer as server-sent events
 * @param streamUsage send a final chunk carrying {@code usage} ({@code stream_options.include_usage})
 */
record OpenAiRequest(String model, Prompt prompt, Optional<Integer> maxTokens, float temperature, float topP,
                         Optional<Long> seed, List<String> stop, boolean stream, boolean streamUsage) {

    OpenAiRequest {
        stop = List.copyOf(stop);
    }

    /** What the model is asked to continue. */
    sealed interface Prompt permits Text, Tokens, Chat {
    }

    /** A plain text prompt; BOS is added before it. */
    record Text(String text) implements Prompt {
    }

    /** A prompt given as token ids (OpenAI accepts those); BOS is added before them unless they start with it. */
    record Tokens(int[] ids) implements Prompt {
    }

    /** Chat messages, rendered with the model's chat template. */
    record Chat(List<Message> messages) implements Prompt {
        Chat {
            messages = List.copyOf(messages);
        }
    }

    /** One chat message. */
    record Message(String role, String content) {
    }

    boolean chat() {
        return prompt instanceof Chat;
    }
}
