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
 * @param hops the final route with the layers each node computed (for billing); empty when nothing was routed
 */
public record CompletionResult(String sessionId, int[] tokens, int promptTokens, FinishReason finishReason,
                               List<String> route, int failovers, List<RouteHop> hops) {
    public CompletionResult {
        tokens = tokens.clone();
        route = List.copyOf(route);
        hops = List.copyOf(hops);
    }

    /** A result without layer ranges (nothing routed, or an in-process engine). */
    public CompletionResult(String sessionId, int[] tokens, int promptTokens, FinishReason finishReason,
                            List<String> route, int failovers) {
        this(sessionId, tokens, promptTokens, finishReason, route, failovers, List.of());
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
