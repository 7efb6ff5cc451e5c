package io.braid.proof;

import java.util.List;

/**
 * What the gateway keeps to audit one task: the node's commitment and the session's inputs on that span up to and
 * including this task (earlier inputs rebuild the KV cache, exactly as failover replay does).
 *
 * @param commitment the node's signed commitment
 * @param history    earlier inputs of the session on this span, in order (each [rows x width], consecutive positions
 *                   from 0 to {@code commitment.firstPosition()})
 * @param input      the task's input rows [rows x width]
 */
public record TaskRecord(Commitment commitment, List<float[]> history, float[] input) {
    public TaskRecord {
        history = List.copyOf(history);
        if (input.length != commitment.rows() * commitment.width()) {
            throw new IllegalArgumentException("task input has " + input.length + " values, the commitment says "
                    + commitment.rows() + " rows x " + commitment.width());
        }
    }
}
