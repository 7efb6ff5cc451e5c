package io.braid.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.NoCapacityException;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.SamplingParams;
import io.braid.node.NodeAgent;
import io.braid.node.NodeConfig;
import io.braid.node.TestNodes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** In-JVM gateway + nodes over real gRPC on loopback. */
@Timeout(120)
class ClusterTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final String MODEL = "stories260K";

    @TempDir
    Path keys;
    private Cluster cluster;
    private final List<NodeAgent> nodes = new ArrayList<>();

    private Cluster startGateway(Duration stepDeadline, Duration noCapacity) throws Exception {
        ClusterConfig cfg = ClusterConfig.defaults(0, List.of(Reference.stories260K())).withThreads(1)
                .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2), stepDeadline, noCapacity);
        cluster = Cluster.start(cfg, QUIET);
        return cluster;
    }

    private NodeConfig nodeConfig(int maxLayers) {
        return TestNodes.config("127.0.0.1:" + cluster.nodePort(), Reference.stories260K(), keys.resolve("node" + nodes.size() + ".key"), maxLayers);
    }

    /** Starts a node and waits until the gateway has placed it, so placement order is deterministic. */
    private NodeAgent addNode(NodeAgent n) throws InterruptedException {
        nodes.add(n);
        long end = System.nanoTime() + 20_000_000_000L;
        while (n.loadedSpan() == null && System.nanoTime() < end) Thread.sleep(10);
        assertThat(n.loadedSpan()).as("node got a span").isNotNull();
        while (cluster.nodes().stream().filter(s -> s.state().equals("ready")).count() < countLoaded() && System.nanoTime() < end)
            Thread.sleep(10);
        return n;
    }

    private long countLoaded() {
        return nodes.stream().filter(n -> n.loadedSpan() != null).count();
    }

    private NodeAgent addNode(int maxLayers) throws Exception {
        return addNode(TestNodes.start(nodeConfig(maxLayers), QUIET));
    }

    @AfterEach
    void stop() {
        for (NodeAgent n : nodes) n.close();
        if (cluster != null) cluster.close();
    }

    private CompletionResult greedy(Reference ref, IntPredicate listener) {
        return cluster.complete(new CompletionRequest(MODEL, ref.prompt(), ref.maxTokens(), SamplingParams.greedy()), listener::test);
    }

    private List<String> spans() {
        return cluster.nodes().stream().map(n -> "[" + n.fromLayer() + "," + n.toLayer() + ")").toList();
    }

    @Test
    void oneTwoAndThreeNodesWithUnevenSpansMatchRunCToken_for_token() throws Exception {
        List<Reference> refs = List.of(Reference.load("t0_once_upon_a_time_n128"), Reference.load("t0_empty_n64"));
        int[][] layouts = {{0}, {3, 2}, {2, 1, 2}};
        String[] expectedSpans = {"[[0,5)]", "[[0,3), [3,5)]", "[[0,2), [2,3), [3,5)]"};
        for (int i = 0; i < layouts.length; i++) {
            startGateway(Duration.ofSeconds(5), Duration.ofSeconds(5));
            for (int max : layouts[i]) addNode(max);
            assertThat(cluster.awaitCovered(MODEL, Duration.ofSeconds(10))).isTrue();
            assertThat(spans().toString()).isEqualTo(expectedSpans[i]);
            for (Reference ref : refs) {
                List<Integer> streamed = new ArrayList<>();
                CompletionResult r = greedy(ref, t -> streamed.add(t));
                assertThat(r.tokens()).as("%s on %d nodes", ref.name(), layouts[i].length).containsExactly(ref.generated());
                assertThat(streamed).containsExactly(java.util.Arrays.stream(ref.generated()).boxed().toArray(Integer[]::new));
                assertThat(r.route()).hasSize(layouts[i].length);
                assertThat(r.failovers()).isZero();
            }
            stop();
            nodes.clear();
            cluster = null;
        }
    }

    /** Four nodes of 3, 2, 3, 2 layers: weakest-coverage placement gives every layer 2 replicas. */
    private void twoReplicaPipeline(NodeAgent... first) throws Exception {
        for (NodeAgent n : first) addNode(n);
        while (nodes.size() < 4) addNode(nodes.size() % 2 == 0 ? 3 : 2);
        assertThat(cluster.awaitCovered(MODEL, Duration.ofSeconds(10))).isTrue();
        List<Placement.Range> ranges = cluster.nodes().stream().map(n -> new Placement.Range(n.fromLayer(), n.toLayer())).toList();
        assertThat(Placement.minReplicas(5, ranges)).as("replicas of the least-covered layer in %s", spans()).isEqualTo(2);
    }

    @Test
    void nodeKilledMidGenerationFailsOverWithIdenticalTokensAndNoError() throws Exception {
        startGateway(Duration.ofSeconds(5), Duration.ofSeconds(5));
        twoReplicaPipeline();
        Reference ref = Reference.load("t0_once_upon_a_time_n256");
        AtomicReference<String> killed = new AtomicReference<>();
        CompletionResult r = greedy(ref, new IntPredicate() {
            int n;

            @Override
            public boolean test(int t) {
                if (++n == 40) { // SIGKILL-like: the node serving the last layers for this session stops dead
                    for (NodeAgent a : nodes)
                        if (killed.get() == null && a.loadedSpan().getToLayer() == 5 && a.activeSessions() > 0) {
                            killed.set(a.publicKeyHex());
                            a.close();
                        }
                }
                return true;
            }
        });
        assertThat(killed.get()).as("a node was killed").isNotNull();
        assertThat(r.tokens()).containsExactly(ref.generated());
        assertThat(r.failovers()).isGreaterThanOrEqualTo(1);
    }

    /**
     * The faulty node is the only one serving layers [0,3) when the session starts (so the router must
     * use it); a healthy full-model node joins after the third token, before the fault begins at the
     * faulty node's 10th forward. The session must move [0,3) to it, replay, and match run.c exactly.
     */
    private void faultyNodeIsRoutedAround(TestNodes.Fault fault) throws Exception {
        NodeAgent faulty = addNode(TestNodes.startFaulty(nodeConfig(3), QUIET, fault, 10));
        addNode(2);
        assertThat(spans()).containsExactly("[0,3)", "[3,5)");
        Reference ref = Reference.load("t0_once_upon_a_time_n128");
        CompletionResult r = greedy(ref, new IntPredicate() {
            int n;

            @Override
            public boolean test(int t) {
                if (++n == 3) {
                    try {
                        addNode(5);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return true;
            }
        });
        assertThat(r.tokens()).as(fault.name()).containsExactly(ref.generated());
        assertThat(r.failovers()).as(fault.name()).isGreaterThanOrEqualTo(1);
        String faultyId = faulty.publicKeyHex().substring(0, 16);
        assertThat(cluster.nodes().stream().filter(n -> n.nodeId().equals(faultyId)).mapToLong(NodeSnapshot::failures).sum())
                .as(fault.name()).isPositive();
        // and the next request avoids the faulty node altogether
        assertThat(greedy(ref, t -> true).tokens()).containsExactly(ref.generated());
    }

    @Test
    void hungNodeIsAbandonedAtTheDeadlineWithIdenticalTokens() throws Exception {
        startGateway(Duration.ofMillis(800), Duration.ofSeconds(5));
        faultyNodeIsRoutedAround(TestNodes.Fault.HANG);
    }

    @Test
    void malformedBadlySignedAndBrokenRepliesAreRejectedAndRoutedAround() throws Exception {
        for (TestNodes.Fault fault : List.of(TestNodes.Fault.MALFORMED_OUTPUT, TestNodes.Fault.BAD_SIGNATURE, TestNodes.Fault.CRASH_STREAM)) {
            startGateway(Duration.ofSeconds(5), Duration.ofSeconds(5));
            faultyNodeIsRoutedAround(fault);
            stop();
            nodes.clear();
            cluster = null;
        }
    }

    @Test
    void allNodesOfASpanGoneGivesNoCapacityAfterTheDeadlineNotAHang() throws Exception {
        startGateway(Duration.ofSeconds(2), Duration.ofSeconds(2));
        addNode(3);
        NodeAgent tail = addNode(2);
        Reference ref = Reference.load("t0_once_upon_a_time_n128");
        assertThatThrownBy(() -> greedy(ref, new IntPredicate() {
            int n;

            @Override
            public boolean test(int t) {
                if (++n == 5) tail.close();
                return true;
            }
        })).isInstanceOf(NoCapacityException.class).hasMessageContaining("no node can serve layers 3..4 of model stories260K");
        // the network stays healthy for the span that survived: a new node restores service
        addNode(2);
        assertThat(cluster.awaitCovered(MODEL, Duration.ofSeconds(10))).isTrue();
        assertThat(greedy(ref, t -> true).tokens()).containsExactly(ref.generated());
    }

    @Test
    void aNodeLeavingAGapMovesARedundantNodeOntoIt() throws Exception {
        startGateway(Duration.ofSeconds(5), Duration.ofSeconds(5));
        NodeAgent a = addNode(3); // [0,3)
        NodeAgent b = addNode(3); // [2,5): the uncovered layers
        NodeAgent c = addNode(2); // [0,2) or [3,5), wherever throughput is scarcer: a replica
        assertThat(List.of(a.loadedSpan().getFromLayer(), b.loadedSpan().getFromLayer())).containsExactly(0, 2);
        int cFrom = c.loadedSpan().getFromLayer();
        assertThat(cFrom).isIn(0, 3);
        NodeAgent victim = cFrom == 0 ? b : a; // the node whose layers c does not duplicate
        victim.close();
        nodes.remove(victim);
        long end = System.nanoTime() + 20_000_000_000L;
        while (c.loadedSpan().getFromLayer() == cFrom && System.nanoTime() < end) Thread.sleep(20);
        assertThat(c.loadedSpan().getFromLayer()).as("the redundant node moved onto the gap").isNotEqualTo(cFrom);
        assertThat(cluster.awaitCovered(MODEL, Duration.ofSeconds(10))).isTrue();
        Reference ref = Reference.load("t0_once_upon_a_time_n64");
        assertThat(greedy(ref, t -> true).tokens()).containsExactly(ref.generated());
    }

    @Test
    void sixteenConcurrentSessionsAreBatchedAndAllCorrect() throws Exception {
        startGateway(Duration.ofSeconds(20), Duration.ofSeconds(10));
        addNode(3);
        addNode(2);
        List<Reference> refs = List.of(Reference.load("t0_once_upon_a_time_n64"), Reference.load("t0_empty_n64"),
                Reference.load("t0_once_upon_a_time_n128"), Reference.load("t0_empty_n128"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<CompletionResult>> fs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Reference ref = refs.get(i % refs.size());
                fs.add(pool.submit(() -> greedy(ref, t -> true)));
            }
            for (int i = 0; i < 16; i++)
                assertThat(fs.get(i).get().tokens()).as("session %d", i).containsExactly(refs.get(i % refs.size()).generated());
        }
        long multi = nodes.stream().mapToLong(NodeAgent::multiSessionBatches).sum();
        assertThat(multi).as("nodes ran batches combining several sessions").isPositive();
    }
}
