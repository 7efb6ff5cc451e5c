package io.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.gateway.cluster.Cluster;
import io.braid.gateway.cluster.ClusterConfig;
import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.SamplingParams;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code braid node} main in child JVMs, killed with SIGKILL (and stopped with SIGTERM) in the
 * middle of a generation: the session must finish with exactly run.c's tokens.
 */
@Timeout(180)
class NodeProcessesTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;
    private Cluster cluster;
    private final List<Process> children = new ArrayList<>();
    private final List<Integer> childMaxLayers = new ArrayList<>();

    private static Path shared() {
        String prop = System.getProperty("braid.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("../shared");
        if (!Files.isDirectory(shared.resolve("models"))) throw new IllegalStateException("test data missing: " + shared.toAbsolutePath());
        return shared;
    }

    /** PROMPT_IDS and the sampled part of OUT_IDS of a run.c reference case. */
    private static int[][] reference(String name) throws IOException {
        int[] prompt = null, out = null;
        for (String line : Files.readAllLines(shared().resolve("reference/stories260K/ids_" + name + ".txt"))) {
            String rest = line.substring(line.indexOf(':') + 1).trim();
            if (line.startsWith("PROMPT_IDS")) prompt = Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            if (line.startsWith("OUT_IDS")) out = Arrays.stream(rest.split("\\s+")).mapToInt(Integer::parseInt).toArray();
        }
        return new int[][] {prompt, Arrays.copyOfRange(out, prompt.length - 1, out.length)};
    }

    private Process startNode(int maxLayers) throws IOException {
        int i = children.size();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-Xmx256m", "-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid(), "-cp", System.getProperty("java.class.path"), Braid.class.getName(),
                "node", "--gateway", "127.0.0.1:" + cluster.nodePort(), "--model", shared().resolve("models/stories260K.gguf").toString(),
                "--key", dir.resolve("node" + i + ".key").toString(), "--threads", "1", "--max-layers", String.valueOf(maxLayers));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("node" + i + ".log").toFile()).start();
        children.add(p);
        childMaxLayers.add(maxLayers);
        // wait until the gateway has placed it, so placement (and the spans below) is deterministic
        long end = System.nanoTime() + 60_000_000_000L;
        while (cluster.nodes().stream().filter(n -> n.state().equals("ready")).count() < children.size()) {
            assertThat(p.isAlive()).as("node process %d is alive (log: %s)", i, dir.resolve("node" + i + ".log")).isTrue();
            assertThat(System.nanoTime()).as("node %d became ready in time", i).isLessThan(end);
            sleep(20);
        }
        return p;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : children) p.destroyForcibly();
        for (Process p : children) p.waitFor(10, TimeUnit.SECONDS);
        if (cluster != null) cluster.close();
    }

    private void startGateway() throws IOException {
        cluster = Cluster.start(ClusterConfig.defaults(0, List.of(shared().resolve("models/stories260K.gguf"))).withThreads(1)
                .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(10)), QUIET);
    }

    /**
     * The precondition of a failover test: the layout has settled (rebalancing moves spans as nodes join) and every
     * layer is loaded on at least two ready nodes, so one SIGKILL leaves a replica for every layer.
     */
    private void awaitEveryLayerOnTwoReadyNodes() {
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            int[] replicas = new int[5];
            for (NodeSnapshot n : cluster.nodes())
                if (n.state().equals("ready"))
                    for (int l = Math.max(0, n.fromLayer()); l < Math.min(5, n.toLayer()); l++) replicas[l]++;
            boolean covered = java.util.Arrays.stream(replicas).allMatch(c -> c >= 2);
            if (covered && cluster.isLayoutSettled()) return;
            assertThat(System.nanoTime()).as("every layer on two ready nodes in time; nodes: %s", cluster.nodes())
                    .isLessThan(end);
            sleep(50);
        }
    }

    /** The node process that serves the last layers for the running session. */
    private Process busyTailNode() {
        for (NodeSnapshot n : cluster.nodes())
            if (n.toLayer() == 5 && n.activeSessions() > 0 && n.state().equals("ready")) {
                int idx = cluster.nodes().indexOf(n);
                return children.get(idx);
            }
        return null;
    }

    @Test
    void nodeProcessSigkilledMidGenerationGivesIdenticalTokens() throws Exception {
        startGateway();
        for (int max : new int[] {3, 2, 3, 2}) startNode(max); // every layer on two processes
        awaitEveryLayerOnTwoReadyNodes();
        int[][] ref = reference("t0_once_upon_a_time_n256");
        List<Process> killed = new ArrayList<>();
        CompletionResult r = cluster.complete(new CompletionRequest("stories260K", ref[0], ref[1].length, SamplingParams.greedy()), t -> {
            // heartbeats report the session after ~300 ms; kill the tail node as soon as it is known to serve it
            if (killed.isEmpty()) {
                Process victim = busyTailNode();
                if (victim != null) {
                    victim.destroyForcibly(); // SIGKILL
                    killed.add(victim);
                }
            }
            if (killed.isEmpty()) sleep(5); // keep the session alive long enough for a heartbeat to show it
            return true;
        });
        assertThat(killed).as("a node process serving the session was SIGKILLed").hasSize(1);
        assertThat(r.tokens()).containsExactly(ref[1]);
        assertThat(r.failovers()).isGreaterThanOrEqualTo(1);
        // the network stays healthy: the next request is served by the survivors
        assertThat(cluster.complete(new CompletionRequest("stories260K", ref[0], ref[1].length, SamplingParams.greedy()), t -> true).tokens())
                .containsExactly(ref[1]);
    }

    @Test
    void sigtermDrainsTheNodeWhichDeregistersWithoutHurtingSessions() throws Exception {
        startGateway();
        startNode(0);
        startNode(0); // two full replicas
        int[][] ref = reference("t0_once_upon_a_time_n128");
        List<Process> stopped = new ArrayList<>();
        CompletionResult r = cluster.complete(new CompletionRequest("stories260K", ref[0], ref[1].length, SamplingParams.greedy()), t -> {
            if (stopped.isEmpty()) {
                for (NodeSnapshot n : cluster.nodes())
                    if (n.activeSessions() > 0) {
                        Process p = children.get(cluster.nodes().indexOf(n));
                        p.destroy(); // SIGTERM: drain
                        stopped.add(p);
                        break;
                    }
                if (stopped.isEmpty()) sleep(5);
            }
            return true;
        });
        assertThat(stopped).hasSize(1);
        assertThat(r.tokens()).containsExactly(ref[1]);
        assertThat(stopped.getFirst().waitFor(30, TimeUnit.SECONDS)).as("drained node exits").isTrue();
        // it deregistered itself (dead at once, not after the heartbeat timeout)
        long end = System.nanoTime() + 5_000_000_000L;
        while (cluster.nodes().stream().noneMatch(n -> n.state().equals("dead")) && System.nanoTime() < end) sleep(20);
        assertThat(cluster.nodes().stream().filter(n -> n.state().equals("dead")).count()).isEqualTo(1);
    }
}
