package io.braid.gateway.inference;

import java.util.List;

/**
 * The outcome of {@link InferenceService#complete}.
 *
 * @param sessionId the gateway's id of the session (attach receipts to it)
 * @param tokens the generated token ids, in order (exactly those passed to the listener)
 * @param promptTokens prompt token count (for {@code usage})
 * @param finishReason why it ended
 * @param route node ids that served the spans, in layer order, as of the end of the request
 * @param failovers how many times a span was moved to another node during the request
 */
public record CompletionResult(String sessionId, int[] tokens, int promptTokens, FinishReason finishReason,
                               List<String> route, int failovers) {
    public CompletionResult {
        tokens = tokens.clone();
        route = List.copyOf(route);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Generated token count (for {@code usage.completion_tokens}). */
    public int completionTokens() {
        return tokens.length;
    }
}
