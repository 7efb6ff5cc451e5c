package io.braid.cli;

import io.braid.crypto.Identity;
import io.braid.gateway.cluster.Cluster;
import io.braid.gateway.cluster.ClusterConfig;
import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.SamplingParams;
import io.braid.model.ModelFormatException;
import io.braid.model.llama.Generation;
import io.braid.model.llama.Generator;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.LocalSpanChain;
import io.braid.model.llama.Sampler;
import io.braid.tensor.Compute;
import io.braid.tensor.codec.ActivationCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code braid bench network}: the network against the single-process engine, with a gateway in this
 * process and {@code braid node} child processes on loopback. Measures single-stream decode tokens/s
 * of 1-, 2- and 3-node pipelines, aggregate decode tokens/s of concurrent sessions on 2 nodes
 * (continuous batching), the time to recover a session 256 tokens deep from a SIGKILLed node, and
 * activation bytes on the wire per token for each codec.
 */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Benchmark sharded inference over node processes on loopback against the single-process engine.")
public final class BenchNetworkCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "GGUF file (e.g. from `braid model synth --shape tinyllama-1.1b --type q8_0`)")
    Path model;

    @Option(names = "--threads", description = "compute threads per node and for the single-process run (default: all cores)")
    Integer threads;

    @Option(names = "--decode-tokens", defaultValue = "48", description = "tokens decoded per single-stream run (default: ${DEFAULT-VALUE})")
    int decodeTokens;

    @Option(names = "--prompt-tokens", defaultValue = "8", description = "prompt length incl. BOS (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--sessions", defaultValue = "8", description = "concurrent sessions for the batching run (default: ${DEFAULT-VALUE})")
    int sessions;

    @Option(names = "--recovery-depth", defaultValue = "256", description = "session depth (tokens) at which a node is killed (default: ${DEFAULT-VALUE})")
    int recoveryDepth;

    @Option(names = "--codec", defaultValue = "fp32", description = "activation codec for the runs: fp32 | fp16 | int8 (default: ${DEFAULT-VALUE})")
    String codec;

    @Option(names = "--skip-recovery", description = "skip the kill/recovery measurement")
    boolean skipRecovery;

    private final PrintStream out = System.out;
    private Path work;

    @Override
    public Integer call() {
        try {
            if (decodeTokens < 2 || promptTokens < 1 || sessions < 1 || recoveryDepth < 2)
                throw new IllegalArgumentException("--decode-tokens and --recovery-depth must be >= 2, --prompt-tokens and --sessions >= 1");
            work = Files.createTempDirectory("braid-bench-network");
            return bench();
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("braid bench network: " + e.getMessage());
            return 1;
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            System.err.println("braid bench network: " + e);
            return 1;
        }
    }

    /** A decode rate: tokens after the first, over the time since the first arrived. */
    private record Run(int[] tokens, double decodeTokPerSec) {}

    private int bench() throws IOException, InterruptedException, java.util.concurrent.ExecutionException {
        int nThreads = EngineOptions.threads(threads);
        ActivationCodec c = ActivationCodec.named(codec);
        LlamaConfig cfg;
        int[] prompt;
        Run local;
        try (LlamaModel m = LlamaModel.open(model); Compute compute = new Compute(nThreads, Compute.Mode.DETERMINISTIC)) {
            cfg = m.config();
            if (promptTokens + Math.max(decodeTokens, recoveryDepth + 8) > cfg.contextLength())
                throw new IllegalArgumentException("prompt + tokens exceed the context of " + cfg.contextLength() + " of " + model);
            prompt = new Random(7).ints(promptTokens, 3, cfg.vocabSize()).toArray();
            prompt[0] = 1;
            local = runLocal(m, compute, prompt, decodeTokens);
        }
        String id = Cluster.modelId(model);
        out.printf(Locale.ROOT, "model %s: %d layers, dim %d; %d threads per node; codec %s; work dir %s%n",
                model, cfg.layers(), cfg.dim(), nThreads, c.name(), work);
        out.printf(Locale.ROOT, "single process (deterministic): %.2f tok/s decode%n", local.decodeTokPerSec());
        Map<Integer, Double> single = new HashMap<>();
        for (int nodes = 1; nodes <= Math.min(3, cfg.layers()); nodes++) {
            try (Net net = new Net(c, nodes, split(cfg.layers(), nodes), nThreads)) {
                net.completion(prompt, Math.min(4, decodeTokens)); // warm-up (JIT, page cache)
                Run r = net.completion(prompt, decodeTokens);
                single.put(nodes, r.decodeTokPerSec());
                out.printf(Locale.ROOT, "%d-node pipeline %s: %.2f tok/s decode single-stream = %.2fx single process; tokens %s; wire %.0f B/token%n",
                        nodes, net.spans(), r.decodeTokPerSec(), r.decodeTokPerSec() / local.decodeTokPerSec(),
                        Arrays.equals(r.tokens(), local.tokens()) ? "identical" : "DIFFER", net.bytesPerToken);
                if (nodes == 2) {
                    double agg = net.concurrent(prompt, decodeTokens, sessions);
                    out.printf(Locale.ROOT, "2-node pipeline, %d concurrent sessions: %.2f tok/s aggregate decode = %.2fx its single-stream; node batches with >1 session: %d%n",
                            sessions, agg, agg / r.decodeTokPerSec(), net.multiSessionBatches());
                }
            }
        }
        if (!skipRecovery) {
            int half = (cfg.layers() + 1) / 2;
            try (Net net = new Net(c, 4, new int[] {half, cfg.layers() - half, half, cfg.layers() - half}, nThreads)) {
                net.recovery(prompt, recoveryDepth);
            }
        }
        out.println("activation bytes per token per hop (one direction; a decode step sends one row in and one row out per hop):");
        for (ActivationCodec k : List.of(ActivationCodec.FP32, ActivationCodec.FP16, ActivationCodec.INT8))
            out.printf(Locale.ROOT, "  %-5s %8d B%n", k.name(), k.encodedBytes(1, cfg.dim()));
        return 0;
    }

    private Run runLocal(LlamaModel m, Compute compute, int[] prompt, int n) {
        Generator g = new Generator(m.embedding(), m.head(), compute, -1, -1);
        int steps = prompt.length + n - 1;
        g.generate(LocalSpanChain.of(m, compute, steps), prompt, Math.min(steps, prompt.length + 3), Sampler.greedy(), (p, t, f) -> true);
        Generation gen = g.generate(LocalSpanChain.of(m, compute, steps), prompt, steps, Sampler.greedy(), (p, t, f) -> true);
        int[] tokens = Arrays.copyOfRange(gen.tokens(), gen.promptTokens(), gen.tokens().length);
        return new Run(tokens, gen.decodeSteps() / (gen.decodeNanos() / 1e9));
    }

    /** Layers per node for an n-node pipeline: as even as the layer count allows (the remainder goes first). */
    private static int[] split(int layers, int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = layers / n + (i < layers % n ? 1 : 0);
        return s;
    }

    /** A gateway in this process and node child processes. */
    private final class Net implements AutoCloseable {
        final Cluster cluster;
        final List<Process> procs = new ArrayList<>();
        final Map<String, Process> byNodeId = new HashMap<>();
        double bytesPerToken;

        Net(ActivationCodec c, int nodes, int[] maxLayers, int nThreads) throws IOException, InterruptedException {
            cluster = Cluster.start(ClusterConfig.defaults(0, List.of(model)).withCodec(c).withThreads(nThreads)
                    .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60)),
                    new PrintStream(OutputStream.nullOutputStream()));
            try {
                for (int i = 0; i < nodes; i++) {
                    Path key = work.resolve("node-" + procs.size() + "-" + System.nanoTime() + ".key");
                    String nodeId = Identity.loadOrCreate(key).publicKeyHex().substring(0, 16);
                    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                    List<String> cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                            "-XX:+UseParallelGC", "-Xss4m", "-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid(),
                            "-cp", System.getProperty("java.class.path"), Braid.class.getName(), "node",
                            "--gateway", "127.0.0.1:" + cluster.nodePort(), "--model", model.toString(), "--key", key.toString(),
                            "--threads", String.valueOf(nThreads), "--max-layers", String.valueOf(maxLayers[i]));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                            .redirectOutput(work.resolve("node-" + procs.size() + ".log").toFile()).start();
                    procs.add(p);
                    byNodeId.put(nodeId, p);
                    long end = System.nanoTime() + 300_000_000_000L;
                    while (cluster.nodes().stream().filter(s -> s.state().equals("ready")).count() < procs.size()) {
                        if (!p.isAlive() || System.nanoTime() > end)
                            throw new IllegalStateException("node process failed to start; see " + work.resolve("node-" + (procs.size() - 1) + ".log"));
                        Thread.sleep(20);
                    }
                }
                // until every node serves its final span (earlier joins moved them around)
                long end = System.nanoTime() + 120_000_000_000L;
                while (!cluster.isLayoutSettled() && System.nanoTime() < end) Thread.sleep(20);
            } catch (RuntimeException | IOException | InterruptedException e) {
                close();
                throw e;
            }
        }

        String spans() {
            return cluster.nodes().stream().map(n -> "[" + n.fromLayer() + "," + n.toLayer() + ")").toList().toString();
        }

        long multiSessionBatches() {
            return cluster.multiSessionBatches();
        }

        Run completion(int[] prompt, int n) {
            long[] times = new long[n];
            int[] count = {0};
            long bytes0 = cluster.activationBytes();
            CompletionResult r = cluster.complete(new CompletionRequest(Cluster.modelId(model), prompt, n, SamplingParams.greedy()), t -> {
                times[count[0]++] = System.nanoTime();
                return true;
            });
            bytesPerToken = (double) (cluster.activationBytes() - bytes0) / (prompt.length + n);
            double rate = count[0] > 1 ? (count[0] - 1) / ((times[count[0] - 1] - times[0]) / 1e9) : 0;
            return new Run(r.tokens(), rate);
        }

        double concurrent(int[] prompt, int n, int sessions) throws InterruptedException, java.util.concurrent.ExecutionException {
            long[] first = new long[sessions], last = new long[sessions];
            int[] counts = new int[sessions];
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<CompletionResult>> fs = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    int s = i;
                    fs.add(pool.submit(() -> cluster.complete(new CompletionRequest(Cluster.modelId(model), prompt, n, SamplingParams.greedy()), t -> {
                        long now = System.nanoTime();
                        if (counts[s]++ == 0) first[s] = now;
                        last[s] = now;
                        return true;
                    })));
                }
                for (Future<CompletionResult> f : fs) f.get();
            }
            // all sessions start together: decode tokens of all of them over the wall time of the decode phase
            long start = Arrays.stream(first).min().orElse(0), end = Arrays.stream(last).max().orElse(0);
            long total = 0;
            for (int c : counts) total += c - 1;
            return end > start ? total / ((end - start) / 1e9) : 0;
        }

        void recovery(int[] prompt, int depth) {
            long[] t = new long[depth + 8];
            int[] k = {0};
            String[] victim = {null};
            CompletionResult r = cluster.complete(new CompletionRequest(Cluster.modelId(model), prompt, depth + 8, SamplingParams.greedy()), tok -> {
                t[k[0]++] = System.nanoTime();
                if (k[0] == depth - prompt.length) {
                    for (NodeSnapshot s : cluster.nodes())
                        if (s.activeSessions() > 0 && s.fromLayer() > 0 && byNodeId.containsKey(s.nodeId())) {
                            victim[0] = s.nodeId();
                            byNodeId.get(s.nodeId()).destroyForcibly(); // SIGKILL
                            break;
                        }
                }
                return true;
            });
            int at = depth - prompt.length;
            double normal = (t[at - 1] - t[at - 11]) / 10.0 / 1e9;
            double gap = (t[at] - t[at - 1]) / 1e9;
            out.printf(Locale.ROOT, "recovery: SIGKILLed node %s serving a session %d tokens deep; the next token took %.3f s (normal step %.3f s): recovery %.3f s; failovers %d%n",
                    victim[0], depth, gap, normal, gap - normal, r.failovers());
        }

        @Override
        public void close() {
            for (Process p : procs) p.destroy();
            for (Process p : procs) {
                try {
                    if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
            cluster.close();
        }
    }
}
