package io.braid.model.llama;

/**
 * The outcome of {@link Generator#generate}.
 *
 * @param tokens        every token after BOS, prompt tokens first (what run.c prints, in ids)
 * @param promptTokens  how many of {@code tokens} came from the prompt
 * @param stop          why generation ended
 * @param prefillNanos  time for the prompt batch (embedding, spans, head)
 * @param decodeNanos   time for the sampled tokens after the prompt
 * @param decodeSteps   forward passes after the prompt batch
 */
public record Generation(int[] tokens, int promptTokens, Stop stop, long prefillNanos, long decodeNanos,
                         int decodeSteps) {

    /** Why a generation ended. */
    public enum Stop { STEPS, BOS, EOS, LISTENER }

    /** Tokens sampled by the model (not forced from the prompt). */
    public int generatedTokens() {
        return tokens.length - promptTokens;
    }
}
