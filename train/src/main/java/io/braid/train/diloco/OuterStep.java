package io.braid.train.diloco;

/**
 * What one outer step (or, for synchronous data-parallel, one reporting interval) did.
 *
 * @param version        outer weights version after the step
 * @param contributors   pseudo-gradients averaged (fresh + stale)
 * @param stale          of those, how many were computed from an older version
 * @param dropped        updates refused as too stale, plus workers dropped this step
 * @param workers        workers active after the step
 * @param trainLoss      mean inner training loss of the contributors
 * @param validationLoss validation loss of the new weights, NaN when not evaluated
 * @param bytesUp        total bytes workers sent so far
 * @param bytesDown      total bytes the coordinator sent so far
 * @param tokens         total training tokens processed so far
 */
public record OuterStep(long version, int contributors, int stale, int dropped, int workers, double trainLoss,
                        double validationLoss, long bytesUp, long bytesDown, long tokens) {
}
