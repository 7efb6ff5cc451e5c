package io.braid.proof;

import io.braid.crypto.PublicKey;

/** An auditor: another node hosting the span, or the gateway with its own copy of the model. */
public interface Reexecutor {

    /** The auditor's key (it signs its own commitment to the recomputed result). */
    PublicKey id();

    /** Re-executes {@code task} from its recorded inputs; returns the auditor's signed commitment and the output. */
    Recomputation reexecute(TaskRecord task);

    /** An auditor's result: its signed commitment and the recomputed output activations [rows x width]. */
    record Recomputation(Commitment commitment, float[] output) {
    }
}
