package io.braid.gateway.cluster;

import io.braid.crypto.PublicKey;
import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.SamplingParams;
import io.braid.node.NodeAgent;
import io.braid.node.NodeConfig;
import io.braid.node.TestNodes;
import io.braid.proof.AuditPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proof of compute over real gRPC: a node that serves [0,3) and, from its 10th forward, scales its outputs by
 * 1.001 (committing to what it sends, so every signature and hash checks out) is caught by the gateway's audit of its
 * committed results; the session fails over to an honest node, replays, and still returns run.c's tokens.
 */
@Timeout(120)
class LiveAuditTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path keys;
    private Cluster cluster;
    private final List<NodeAgent> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (NodeAgent n : nodes) n.close();
        if (cluster != null) cluster.close();
    }

    private NodeConfig cfg(int maxLayers) {
        return TestNodes.config("127.0.0.1:" + cluster.nodePort(), Reference.stories260K(), keys.resolve("n" + nodes.size() + ".key"), maxLayers);
    }

    private NodeAgent add(NodeAgent n) throws InterruptedException {
        nodes.add(n);
        long end = System.nanoTime() + 20_000_000_000L;
        while (n.loadedSpan() == null && System.nanoTime() < end) Thread.sleep(10);
        assertThat(n.loadedSpan()).isNotNull();
        while (cluster.nodes().stream().filter(s -> s.state().equals("ready")).count() < nodes.size() && System.nanoTime() < end) Thread.sleep(10);
        return n;
    }

    @Test
    void aNodeThatAltersItsResultsIsCaughtByTheAuditAndTheSessionCompletesCorrectly() throws Exception {
        cluster = Cluster.start(ClusterConfig.defaults(0, List.of(Reference.stories260K())).withThreads(1)
                .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5)), QUIET);
        cluster.enableAudits(AuditPolicy.governed(10_000));
        NodeAgent cheater = add(TestNodes.startCheating(cfg(3), QUIET, 1.001f, 10));
        NodeAgent honest = add(TestNodes.start(cfg(2), QUIET));
        Reference ref = Reference.load("t0_once_upon_a_time_n128");
        CompletionResult r = cluster.complete(new CompletionRequest("stories260K", ref.prompt(), ref.maxTokens(), SamplingParams.greedy()),
                new java.util.function.IntPredicate() {
                    int n;

                    @Override
                    public boolean test(int t) {
                        if (++n == 3) {
                            try {
                                // honest replacements join before the cheating starts; two, so that placement's
                                // 2-replica layout covers [0,3) a second time wherever it puts each one
                                add(TestNodes.start(cfg(5), QUIET));
                                add(TestNodes.start(cfg(5), QUIET));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return true;
                    }
                }::test);
        assertThat(r.tokens()).containsExactly(ref.generated());
        assertThat(r.failovers()).isGreaterThanOrEqualTo(1);
        long[] bad = cluster.audits(PublicKey.ofHex(cheater.publicKeyHex()));
        long[] good = cluster.audits(PublicKey.ofHex(honest.publicKeyHex()));
        assertThat(bad[0]).as("clean audits before it cheated").isPositive();
        assertThat(bad[1]).as("failed audits of the cheater").isEqualTo(1);
        assertThat(good[0]).isPositive();
        assertThat(good[1]).isZero();
        // the next request does not use the cheater and is still right
        assertThat(cluster.complete(new CompletionRequest("stories260K", ref.prompt(), ref.maxTokens(), SamplingParams.greedy()), t -> true).tokens())
                .containsExactly(ref.generated());
        assertThat(cluster.audits(PublicKey.ofHex(cheater.publicKeyHex()))[1]).isEqualTo(1);
    }
}
