package io.braid.train.diloco;

import java.util.List;

/** The outcome of a training job: final weights, history and communication. */
public record TrainResult(float[] weights, List<OuterStep> history, long bytesUp, long bytesDown, long tokens) {

    public long bytesTotal() {
        return bytesUp + bytesDown;
    }
}
