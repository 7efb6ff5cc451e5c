package io.braid.model.llama;

/**
 * All transformer layers of one session, however they are hosted: the pluggable "run the spans" step of
 * {@link Generator}. In one process it is {@link LocalSpanChain}; in the network the gateway implements it by sending
 * the rows through a route of remote nodes (and replaying on failure).
 */
public interface SpanChain {

    /**
     * Runs layers 0..L-1 in place on {@code batch} rows of {@code x} ([batch x dim]) at consecutive positions
     * {@code firstPosition, firstPosition+1, ...} of this session.
     */
    void forward(float[] x, int batch, int firstPosition);
}
