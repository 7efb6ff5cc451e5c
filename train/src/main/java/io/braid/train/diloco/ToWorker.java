package io.braid.train.diloco;

/** Messages the DiLoCo coordinator sends to a worker. */
public sealed interface ToWorker {

    /**
     * Admission at an outer boundary: the job, the current outer version, the data shard and batch stream,
     * and the current broadcast weights in float32 — or no bytes at all when the job is at version 0 of a
     * fresh start, whose weights every worker derives from {@code spec.seed()}.
     */
    record Assign(JobSpec spec, long version, int shard, long stream, byte[] weights) implements ToWorker {
    }

    /** The broadcast weights moved from {@code version − 1} to {@code version} by the encoded delta. */
    record Delta(long version, byte[] payload) implements ToWorker {
    }

    /** The job ended (or this worker was dropped); stop. */
    record Finish(long version, String reason) implements ToWorker {
    }
}
