package io.braid.model.llama;

/** Receives each token of a generation as it is decided (prompt tokens too, so streams can echo them). */
@FunctionalInterface
public interface TokenListener {

    /**
     * @param position  the position the token occupies (1 for the first token after BOS)
     * @param token     the token id
     * @param fromPrompt true when forced from the prompt, false when sampled
     * @return false to stop the generation after this token (e.g. the client went away or hit a stop string)
     */
    boolean onToken(int position, int token, boolean fromPrompt);
}
