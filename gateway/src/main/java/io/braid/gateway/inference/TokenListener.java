package io.braid.gateway.inference;

/**
 * Receives each generated token as soon as it is sampled, on the thread that called
 * {@link InferenceService#complete}. A failover is invisible here: the listener never sees a token twice
 * or a token that differs from the failure-free run.
 */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param tokenId the sampled token id (never the end-of-sequence token: generation just stops)
     * @return {@code true} to continue, {@code false} to stop now (stop sequence matched, client gone)
     */
    boolean onToken(int tokenId);
}
