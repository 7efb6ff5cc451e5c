package io.braid.gateway.inference;

import java.util.Arrays;

/**
 * One generation: the prompt's token ids (the API layer tokenizes and prepends BOS when the model
 * wants it) and how many tokens to generate at most.
 *
 * @param modelId a model id from {@link InferenceService#models()}
 * @param promptTokens at least one token id
 * @param maxTokens >= 0 tokens to generate; prompt + maxTokens must fit the context window
 * @param sampling how tokens are chosen
 */
public record CompletionRequest(String modelId, int[] promptTokens, int maxTokens, SamplingParams sampling) {
    public CompletionRequest {
        if (modelId == null || modelId.isBlank()) throw new InvalidRequestException("model is required");
        if (promptTokens == null || promptTokens.length == 0)
            throw new InvalidRequestException("the prompt must have at least one token");
        if (maxTokens < 0) throw new InvalidRequestException("max_tokens must be >= 0, got " + maxTokens);
        if (sampling == null) throw new InvalidRequestException("sampling parameters are required");
        promptTokens = promptTokens.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompletionRequest r && modelId.equals(r.modelId) && Arrays.equals(promptTokens, r.promptTokens)
                && maxTokens == r.maxTokens && sampling.equals(r.sampling);
    }

    @Override
    public int hashCode() {
        return 31 * modelId.hashCode() + Arrays.hashCode(promptTokens) + 7 * maxTokens + sampling.hashCode();
    }

    @Override
    public String toString() {
        return "CompletionRequest[" + modelId + ", " + promptTokens.length + " prompt tokens, maxTokens=" + maxTokens + ", " + sampling + "]";
    }
}
