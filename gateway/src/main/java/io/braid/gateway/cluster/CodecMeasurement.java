package io.braid.gateway.cluster;

import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.LocalSpanChain;
import io.braid.tensor.Compute;
import io.braid.tensor.codec.ActivationCodec;
import java.util.List;

/**
 * How much an activation codec changes the model's output: the same token sequences are run
 * teacher-forced through the network (with the codec on every hop) and through the single-process
 * engine, and their logits compared position by position.
 */
public final class CodecMeasurement {
    private CodecMeasurement() {}

    /**
     * @param codec the codec measured
     * @param bytesPerTokenPerHop encoded bytes of one token's activations, one direction of one hop
     * @param positions positions compared
     * @param top1Agreement fraction of positions whose argmax matches the single-process argmax
     * @param maxLogitError largest absolute logit difference over all positions and vocabulary entries
     */
    public record Result(String codec, long bytesPerTokenPerHop, int positions, double top1Agreement, double maxLogitError) {
        @Override
        public String toString() {
            return String.format("%-5s %6d B/token/hop  top-1 agreement %.4f over %d positions  max |logit error| %.3g",
                    codec, bytesPerTokenPerHop, top1Agreement, positions, maxLogitError);
        }
    }

    public static Result measure(Cluster cluster, LlamaModel local, Compute compute, String modelId, List<int[]> sequences,
                                 ActivationCodec codec) {
        int vocab = local.config().vocabSize();
        int agree = 0, positions = 0;
        double maxErr = 0;
        for (int[] tokens : sequences) {
            float[] net = cluster.logits(modelId, tokens, codec);
            float[] x = local.embedding().lookup(tokens);
            LocalSpanChain.of(local, compute, tokens.length).forward(x, tokens.length, 0);
            float[] ref = new float[tokens.length * vocab];
            local.head().logits(compute, x, tokens.length, ref);
            for (int p = 0; p < tokens.length; p++) {
                int a = argmax(net, p * vocab, vocab), b = argmax(ref, p * vocab, vocab);
                if (a == b) agree++;
                for (int v = 0; v < vocab; v++) maxErr = Math.max(maxErr, Math.abs(net[p * vocab + v] - ref[p * vocab + v]));
                positions++;
            }
        }
        return new Result(codec.name(), codec.encodedBytes(1, local.config().dim()), positions, (double) agree / positions, maxErr);
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }
}
