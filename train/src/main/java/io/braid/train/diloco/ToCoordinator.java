package io.braid.train.diloco;

/** Messages a worker (or its transport) sends to the DiLoCo coordinator. */
public sealed interface ToCoordinator {

    String workerId();

    /** A worker asks to take part; it is admitted at the next outer-step boundary. */
    record Join(String workerId) implements ToCoordinator {
    }

    /**
     * The encoded pseudo-gradient (weights at {@code baseVersion} − local weights after H inner steps), with
     * the mean inner training loss and the tokens processed.
     */
    record Update(String workerId, long baseVersion, byte[] payload, double trainLoss, long tokens) implements ToCoordinator {
    }

    /** The transport lost the worker (process died, stream closed, or it was stopped). */
    record Left(String workerId, String reason) implements ToCoordinator {
    }
}
