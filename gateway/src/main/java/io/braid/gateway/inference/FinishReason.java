package io.braid.gateway.inference;

/** Why a completion ended, in OpenAI's vocabulary. */
public enum FinishReason {
    /** max_tokens reached, or the context window is full. */
    LENGTH,
    /** the model produced its end-of-sequence (or BOS, as llama2.c's run.c stops on it). */
    STOP,
    /** the {@link TokenListener} asked to stop (stop sequence, client disconnected). */
    CANCELLED;

    /** The OpenAI {@code finish_reason} string. */
    public String openAi() {
        return this == LENGTH ? "length" : "stop";
    }
}
