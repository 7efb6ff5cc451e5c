package io.braid.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.SamplingParams;
import io.braid.model.llama.LlamaModel;
import io.braid.node.NodeAgent;
import io.braid.node.TestNodes;
import io.braid.tensor.Compute;
import io.braid.tensor.codec.ActivationCodec;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each codec over a real 2-node pipeline (spans [0,3) and [3,5)) against the single-process engine, on
 * the reference prompts: logits teacher-forced on run.c's token sequences, and greedy generation.
 * fp32 must be exact; the lossy codecs are measured and must stay close.
 */
@Timeout(120)
class CodecAgreementTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final List<String> CASES = List.of("t0_once_upon_a_time_n256", "t0_empty_n256", "t0_once_upon_a_time_n128", "t0_empty_n128", "t0_once_upon_a_time_n64", "t0_empty_n64");

    @TempDir
    Path keys;

    @Test
    void codecsAgainstSingleProcess() throws Exception {
        List<Reference> refs = new ArrayList<>();
        for (String c : CASES) refs.add(Reference.load(c));
        List<int[]> sequences = new ArrayList<>();
        for (Reference r : refs.subList(0, 2)) {
            int[] seq = new int[r.outIds().length + 1];
            seq[0] = 1; // BOS, then run.c's tokens at positions 1..n
            System.arraycopy(r.outIds(), 0, seq, 1, r.outIds().length);
            sequences.add(Arrays.copyOf(seq, seq.length - 1)); // logits for positions 0..n-1 predict tokens 1..n
        }
        try (LlamaModel local = LlamaModel.open(Reference.stories260K()); Compute compute = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            for (ActivationCodec codec : List.of(ActivationCodec.FP32, ActivationCodec.FP16, ActivationCodec.INT8)) {
                ClusterConfig cfg = ClusterConfig.defaults(0, List.of(Reference.stories260K())).withThreads(1).withCodec(codec)
                        .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));
                List<NodeAgent> nodes = new ArrayList<>();
                try (Cluster cluster = Cluster.start(cfg, QUIET)) {
                    for (int max : new int[] {3, 2}) {
                        nodes.add(TestNodes.start(TestNodes.config("127.0.0.1:" + cluster.nodePort(), Reference.stories260K(),
                                keys.resolve(codec.name() + max + ".key"), max), QUIET));
                        while (nodes.getLast().loadedSpan() == null) Thread.sleep(10);
                    }
                    assertThat(cluster.awaitCovered("stories260K", Duration.ofSeconds(10))).isTrue();
                    CodecMeasurement.Result m = CodecMeasurement.measure(cluster, local, compute, "stories260K", sequences, codec);
                    int identical = 0;
                    for (Reference ref : refs) {
                        int[] got = cluster.complete(new CompletionRequest("stories260K", ref.prompt(), ref.maxTokens(), SamplingParams.greedy()), t -> true).tokens();
                        if (Arrays.equals(got, ref.generated())) identical++;
                    }
                    System.out.printf("codec %s; greedy identical to run.c on %d/%d reference prompts%n", m, identical, refs.size());
                    switch (codec.name()) {
                        case "fp32" -> {
                            assertThat(m.maxLogitError()).isZero();
                            assertThat(m.top1Agreement()).isEqualTo(1.0);
                            assertThat(identical).isEqualTo(refs.size());
                        }
                        case "fp16" -> {
                            assertThat(m.top1Agreement()).isGreaterThanOrEqualTo(0.97);
                            assertThat(m.maxLogitError()).isLessThan(0.1);
                        }
                        default -> {
                            assertThat(m.top1Agreement()).isGreaterThanOrEqualTo(0.9);
                            assertThat(m.maxLogitError()).isLessThan(1.0);
                        }
                    }
                } finally {
                    nodes.forEach(NodeAgent::close);
                }
            }
        }
    }
}
