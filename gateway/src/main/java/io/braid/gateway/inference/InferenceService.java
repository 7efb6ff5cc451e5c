package io.braid.gateway.inference;

import java.time.Duration;
import java.util.List;

/**
 * Sharded inference as a blocking Java call: what the HTTP API (and {@code braid up}) are built on.
 * Implemented by {@code io.braid.gateway.cluster.Cluster} over the node network. Thread-safe: call
 * {@link #complete} from one (virtual) thread per request.
 */
public interface InferenceService {

    /**
     * Runs one completion to its end, passing each token to {@code listener} as it is sampled.
     * Node failures during the request are recovered transparently (same tokens, no error).
     *
     * @throws UnknownModelException the model id is not served here
     * @throws ContextOverflowException prompt + maxTokens exceeds the context window
     * @throws InvalidRequestException a token id outside the vocabulary
     * @throws NoCapacityException a span of the model has no node that can serve it within the deadline
     */
    CompletionResult complete(CompletionRequest request, TokenListener listener);

    /** The models this gateway serves (whether or not nodes cover them yet). */
    List<ModelInfo> models();

    /** Every known node (live, draining, or recently dead), in registration order. */
    List<NodeSnapshot> nodes();

    /** true when every layer of the model is served by at least one ready node. */
    boolean isModelCovered(String modelId);

    /** Blocks until {@link #isModelCovered} or the timeout passes; returns the final answer. */
    boolean awaitCovered(String modelId, Duration timeout) throws InterruptedException;
}
