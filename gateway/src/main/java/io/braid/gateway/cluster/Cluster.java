package io.braid.gateway.cluster;

import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.ContextOverflowException;
import io.braid.gateway.inference.FinishReason;
import io.braid.gateway.inference.InferenceService;
import io.braid.gateway.inference.InvalidRequestException;
import io.braid.gateway.inference.ModelInfo;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.TokenListener;
import io.braid.gateway.inference.UnknownModelException;
import io.braid.model.llama.Embedding;
import io.braid.model.llama.Flops;
import io.braid.model.llama.Generation;
import io.braid.model.llama.Generator;
import io.braid.model.llama.Head;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Sampler;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import io.braid.protocol.EnvelopeVerifier;
import io.braid.protocol.Envelopes;
import io.braid.protocol.v1.SpanAssignment;
import io.braid.tensor.Compute;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's cluster core: the node-facing gRPC server (registry), placement, routing, and
 * sessions with failover — exposed as an {@link InferenceService}. The gateway embeds, runs the head
 * and samples with the engine's {@link Generator} (the one generation loop), over a
 * {@link RemoteSession} that sends the layers through the nodes.
 */
public final class Cluster implements InferenceService, AutoCloseable {
    /** A model the gateway serves: its info and the embedding and head it runs itself. */
    record Served(Info info, LlamaModel model, Embedding embedding, Head head, int bos, int eos, double flopsPerLayerRow) {}

    /** Shape facts the session needs. */
    record Info(String id, int layers, int dim, int contextLength, int vocabSize, Path file) {}

    private final ClusterConfig config;
    private final PrintStream log;
    private final Map<String, Served> models = new LinkedHashMap<>();
    private final EnvelopeVerifier verifier = new EnvelopeVerifier(Clock.systemUTC(), Envelopes.MAX_SKEW);
    private final Registry registry;
    private final Compute compute;
    private final Server server;
    private final Thread sweeper;
    private final AtomicLong wireBytes = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private volatile boolean closed;

    private Cluster(ClusterConfig config, PrintStream log) throws IOException {
        this.config = config;
        this.log = log;
        Map<String, Registry.ModelShape> shapes = new LinkedHashMap<>();
        for (Path p : config.models()) {
            LlamaModel m = LlamaModel.open(p);
            String id = modelId(p);
            if (models.containsKey(id)) throw new IllegalArgumentException("two model files named " + id + ": " + p);
            var c = m.config();
            int bos = 1, eos = 2;
            if (m.gguf().isPresent()) {
                Tokenizer tok = Tokenizers.fromGguf(m.gguf().get().metadata());
                bos = tok.bos();
                eos = tok.eos();
            }
            double perLayerRow = Flops.layerMatmul(c);
            models.put(id, new Served(new Info(id, c.layers(), c.dim(), c.contextLength(), c.vocabSize(), p), m, m.embedding(),
                    m.head(), bos, eos, perLayerRow));
            shapes.put(id, new Registry.ModelShape(id, c.layers(), Files.size(p), perLayerRow));
        }
        this.registry = new Registry(shapes, verifier, Clock.systemUTC(), config, log);
        this.compute = new Compute(config.threads(), config.mode());
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.nodePort()))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).addService(registry).build().start();
        this.sweeper = Thread.ofVirtual().name("gateway-sweeper").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(Math.max(50, config.heartbeat().toMillis() / 2));
                } catch (InterruptedException e) {
                    return;
                }
                registry.sweep();
            }
        });
    }

    /** Opens the models and starts the node-facing server. */
    public static Cluster start(ClusterConfig config, PrintStream log) throws IOException {
        Cluster c = new Cluster(config, log);
        log.printf("gateway: nodes register at %s:%d; serving %s%n", config.host(), c.nodePort(), c.models.keySet());
        return c;
    }

    /** The model id of a file: its name without the extension. */
    public static String modelId(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** The port nodes register with ({@code braid node --gateway HOST:PORT}). */
    public int nodePort() {
        return server.getPort();
    }

    public InferenceService inference() {
        return this;
    }

    ClusterConfig config() {
        return config;
    }

    private volatile LiveAudit liveAudit; // proof of compute on live traffic (off unless enabled)

    /** Turns on the gateway's own audits of node results (see LiveAudit, docs/proof.md). */
    public void enableAudits(io.braid.proof.AuditPolicy policy) {
        liveAudit = new LiveAudit(policy, config.mode());
    }

    LiveAudit liveAudit() {
        return liveAudit;
    }

    /** Audits the gateway ran and their outcome for a node: {passed, failed}; zeros when audits are off. */
    public long[] audits(io.braid.crypto.PublicKey node) {
        LiveAudit a = liveAudit;
        if (a == null) return new long[2];
        var r = a.record(node);
        return new long[]{r.passed(), r.failed()};
    }

    PrintStream log() {
        return log;
    }

    Registry registry() {
        return registry;
    }

    EnvelopeVerifier verifier() {
        return verifier;
    }

    void countWire(long bytes) {
        wireBytes.addAndGet(bytes);
    }

    /** Activation bytes sent to and received from nodes so far (forward and replay), for benchmarks. */
    public long activationBytes() {
        return wireBytes.get();
    }

    /** Batches that combined several sessions' rows, summed over live nodes (from their last heartbeats). */
    public long multiSessionBatches() {
        return registry.all().stream().filter(n -> n.state != NodeRecord.State.DEAD).mapToLong(n -> n.last.getMultiRowBatches()).sum();
    }

    @Override
    public CompletionResult complete(CompletionRequest request, TokenListener listener) {
        Served m = models.get(request.modelId());
        if (m == null)
            throw new UnknownModelException("model '" + request.modelId() + "' is not served here; available: " + String.join(", ", models.keySet()));
        int[] prompt = request.promptTokens();
        for (int t : prompt)
            if (t < 0 || t >= m.info().vocabSize())
                throw new InvalidRequestException("token id " + t + " is outside the vocabulary of " + m.info().id() + " (0.." + (m.info().vocabSize() - 1) + ")");
        int ctx = m.info().contextLength();
        if ((long) prompt.length + request.maxTokens() > ctx)
            throw new ContextOverflowException("the prompt (" + prompt.length + " tokens) plus max_tokens (" + request.maxTokens()
                    + ") exceeds the context window of " + ctx + " tokens of " + m.info().id(), ctx);
        String sessionId = "s-" + UUID.randomUUID();
        if (request.maxTokens() == 0)
            return new CompletionResult(sessionId, new int[0], prompt.length, FinishReason.LENGTH, List.of(), 0);
        int steps = prompt.length + request.maxTokens() - 1; // Generator counts positions incl. the prompt, like run.c
        var sp = request.sampling();
        Sampler sampler = new Sampler(sp.temperature(), sp.topP(), sp.topK(), sp.seed());
        Generator generator = new Generator(m.embedding(), m.head(), compute, m.bos(), m.eos());
        try (RemoteSession session = new RemoteSession(this, m, sessionId, Math.max(steps, prompt.length), config.codec())) {
            Generation g = generator.generate(session, prompt, steps, sampler, (pos, tok, fromPrompt) -> fromPrompt || listener.onToken(tok));
            int[] generated = Arrays.copyOfRange(g.tokens(), g.promptTokens(), g.tokens().length);
            tokens.addAndGet(generated.length);
            FinishReason why = switch (g.stop()) {
                case STEPS -> FinishReason.LENGTH;
                case BOS, EOS -> FinishReason.STOP;
                case LISTENER -> FinishReason.CANCELLED;
            };
            return new CompletionResult(sessionId, generated, prompt.length, why, session.routeNodeIds(), session.failovers(),
                    session.routeHops());
        }
    }

    /**
     * Runs {@code tokens} (BOS first) as one prefill through the network with {@code codec} and returns
     * the logits of every position, [tokens x vocab]. For measuring codecs against the single-process engine.
     */
    public float[] logits(String modelId, int[] tokens, io.braid.tensor.codec.ActivationCodec codec) {
        Served m = models.get(modelId);
        if (m == null) throw new UnknownModelException("model '" + modelId + "' is not served here");
        float[] x = m.embedding().lookup(tokens);
        try (RemoteSession s = new RemoteSession(this, m, "measure-" + UUID.randomUUID(), tokens.length, codec)) {
            s.forward(x, tokens.length, 0);
        }
        float[] out = new float[tokens.length * m.info().vocabSize()];
        m.head().logits(compute, x, tokens.length, out);
        return out;
    }

    @Override
    public List<ModelInfo> models() {
        List<ModelInfo> out = new ArrayList<>();
        for (Served s : models.values())
            out.add(new ModelInfo(s.info().id(), s.info().file(), s.info().layers(), s.info().contextLength(), s.info().vocabSize()));
        return out;
    }

    @Override
    public List<NodeSnapshot> nodes() {
        List<NodeSnapshot> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (NodeRecord n : registry.all()) {
            SpanAssignment a = n.loaded != null ? n.loaded : n.assigned;
            String state = n.state == NodeRecord.State.READY && n.suspectUntilMillis > now ? "suspect"
                    : n.state.name().toLowerCase(java.util.Locale.ROOT);
            out.add(new NodeSnapshot(n.id, n.key.hex(), n.address, n.capacity.getFlops(), n.capacity.getMemoryBandwidth(),
                    n.capacity.getFreeRamBytes(), n.capacity.getThreads(), a == null ? "" : a.getModelId(),
                    a == null ? -1 : a.getFromLayer(), a == null ? -1 : a.getToLayer(), state, n.last.getActiveSessions(),
                    n.last.getTokensServed(), n.failures.get(), n.lastSeenMillis));
        }
        return out;
    }

    @Override
    public boolean isModelCovered(String modelId) {
        Served m = models.get(modelId);
        if (m == null) return false;
        boolean[] covered = new boolean[m.info().layers()];
        for (NodeRecord n : registry.all())
            if (n.serves(modelId))
                for (int l = n.loaded.getFromLayer(); l < n.loaded.getToLayer(); l++) covered[l] = true;
        for (boolean b : covered) if (!b) return false;
        return true;
    }

    /** true when every live node serves the span the layout assigned it (no move pending). */
    public boolean isLayoutSettled() {
        for (NodeRecord n : registry.all()) {
            if (n.state == NodeRecord.State.DEAD || n.assigned == null) continue;
            SpanAssignment l = n.loaded, a = n.assigned;
            if (l == null || !l.getModelId().equals(a.getModelId()) || l.getFromLayer() != a.getFromLayer() || l.getToLayer() != a.getToLayer())
                return false;
        }
        return true;
    }

    @Override
    public boolean awaitCovered(String modelId, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!isModelCovered(modelId)) {
            long left = end - System.nanoTime();
            if (left <= 0) return false;
            registry.awaitChange(Math.min(100, Math.max(1, left / 1_000_000)));
        }
        return true;
    }

    /** Stops the node-facing server and closes the model files. Nodes notice and re-register with a new gateway. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        sweeper.interrupt();
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.closeAll();
        compute.close();
        if (liveAudit != null) liveAudit.close();
        for (Served s : models.values()) s.model().close();
    }
}
