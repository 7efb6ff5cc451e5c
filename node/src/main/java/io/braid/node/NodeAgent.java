package io.braid.node;

import io.braid.crypto.Identity;
import io.braid.model.llama.LlamaModel;
import io.braid.protocol.EnvelopeSigner;
import io.braid.protocol.v1.Capacity;
import io.braid.protocol.v1.Goodbye;
import io.braid.protocol.v1.Heartbeat;
import io.braid.protocol.v1.HeartbeatReply;
import io.braid.protocol.v1.ModelFile;
import io.braid.protocol.v1.NodeHello;
import io.braid.protocol.v1.NodeState;
import io.braid.protocol.v1.RegisterReply;
import io.braid.protocol.v1.RegistryGrpc;
import io.braid.protocol.v1.SpanAssignment;
import io.braid.tensor.Compute;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A Braid node: identity, measured capacity, registration and heartbeats with the gateway, the span
 * the gateway assigns (loaded from the node's own model file), and the tensor-task service.
 * {@link #drain()} is the SIGTERM path; a SIGKILL at any moment leaves nothing the gateway cannot recover.
 */
public final class NodeAgent implements AutoCloseable {
    private final NodeConfig config;
    private final Faults faults;
    private final Identity identity;
    private final EnvelopeSigner signer;
    private final Compute compute;
    private final Map<String, Path> modelFiles = new LinkedHashMap<>();
    private final Map<String, ModelFile> modelInfo = new LinkedHashMap<>();
    private final Semaphore kick = new Semaphore(0);
    private final PrintStream log;
    private Server server;
    private ManagedChannel channel;
    private Thread control;
    private Capacity capacity;
    private volatile SpanHost host;
    private volatile SpanAssignment loaded;
    private volatile boolean draining, stopped, registered;
    private volatile long heartbeatMs = 1000;
    private volatile String nodeId = "";

    /** A node with an identity loaded from (or created at) {@code config.keyFile()}. */
    public NodeAgent(NodeConfig config, PrintStream log) throws IOException {
        this(config, log, Faults.NONE);
    }

    /** Test-only: a node that misbehaves as {@code faults} says. */
    NodeAgent(NodeConfig config, PrintStream log, Faults faults) throws IOException {
        this.config = config;
        this.log = log;
        this.faults = faults;
        this.identity = Identity.loadOrCreate(config.keyFile());
        this.signer = new EnvelopeSigner(identity, Clock.systemUTC());
        for (Path p : config.models()) {
            try (LlamaModel m = LlamaModel.open(p)) {
                String id = modelId(p);
                modelFiles.put(id, p);
                modelInfo.put(id, ModelFile.newBuilder().setModelId(id).setFileName(p.getFileName().toString())
                        .setSizeBytes(Files.size(p)).setNLayers(m.config().layers()).build());
            }
        }
        this.compute = new Compute(config.threads(), config.mode()); // after the files: a bad one leaks no threads
    }

    /** The model id of a file: its name without the extension ("stories260K.gguf" → "stories260K"). */
    public static String modelId(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Measures capacity, starts the tensor-task server and the registration/heartbeat loop. */
    public NodeAgent start() throws IOException {
        capacity = CapacityProbe.measure(compute, config.kvBudgetBytes());
        server = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .maxInboundMessageSize(256 << 20)
                .addService(new TensorTaskService(() -> host, () -> draining, signer, faults))
                .build().start();
        channel = NettyChannelBuilder.forTarget(config.gateway()).usePlaintext().build();
        log.printf("braid node %s: tensor tasks on %s:%d, %.2f GFLOP/s, %.1f GB/s, %d MiB free RAM, gateway %s%n",
                identity.publicKeyHex().substring(0, 16), config.host(), port(), capacity.getFlops() / 1e9,
                capacity.getMemoryBandwidth() / 1e9, capacity.getFreeRamBytes() >> 20, config.gateway());
        control = Thread.ofVirtual().name("node-control").start(this::controlLoop);
        return this;
    }

    public int port() {
        return server.getPort();
    }

    public String publicKeyHex() {
        return identity.publicKeyHex();
    }

    /** The span currently served, or null. */
    public SpanAssignment loadedSpan() {
        return loaded;
    }

    /** Sessions open on this node now. */
    public int activeSessions() {
        SpanHost h = host;
        return h == null ? 0 : h.activeSessions();
    }

    /** Decode batches that combined rows of more than one session (continuous batching at work). */
    public long multiSessionBatches() {
        SpanHost h = host;
        return h == null ? 0 : h.multiSessionBatches();
    }

    private void controlLoop() {
        RegistryGrpc.RegistryBlockingStub stub = RegistryGrpc.newBlockingStub(channel);
        long idleNanos = config.sessionIdle().toNanos();
        while (!stopped) {
            try {
                if (!registered) {
                    NodeHello hello = NodeHello.newBuilder().setAddress(config.host() + ":" + port()).setCapacity(capacity)
                            .addAllModels(modelInfo.values()).setVersion("braid-0.1").setMaxLayers(config.maxLayers()).build();
                    RegisterReply r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).register(signer.sign(hello));
                    nodeId = r.getNodeId();
                    heartbeatMs = Math.max(50, r.getHeartbeatIntervalMs());
                    registered = true;
                    log.printf("braid node %s: registered with %s%n", nodeId, config.gateway());
                    apply(r.hasAssignment() ? r.getAssignment() : null);
                } else {
                    HeartbeatReply r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).heartbeat(signer.sign(heartbeat()));
                    if (r.getReregister()) registered = false;
                    else apply(r.hasAssignment() ? r.getAssignment() : null);
                }
            } catch (RuntimeException e) {
                if (stopped) return;
                if (registered) log.printf("braid node %s: gateway unreachable (%s); retrying%n", nodeId, e.getMessage());
                registered = registered && !(e instanceof io.grpc.StatusRuntimeException sre
                        && sre.getStatus().getCode() == io.grpc.Status.Code.PERMISSION_DENIED);
            }
            SpanHost h = host;
            if (h != null && h.expireIdle(idleNanos) > 0) kick.release();
            try {
                kick.tryAcquire(registered ? heartbeatMs : 500, TimeUnit.MILLISECONDS);
                kick.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Heartbeat heartbeat() {
        SpanHost h = host;
        Heartbeat.Builder b = Heartbeat.newBuilder()
                .setState(draining ? NodeState.DRAINING : h == null ? NodeState.LOADING : NodeState.READY);
        if (h != null) {
            if (loaded != null) b.setLoaded(loaded);
            b.setActiveSessions(h.activeSessions()).setQueuedRows(h.queuedRows()).setKvBytesUsed(h.kvReserved())
                    .setTokensServed(h.tokensServed()).setBatchesRun(h.batches()).setMultiRowBatches(h.multiSessionBatches())
                    .setRecentRowSeconds(h.secondsPerRow());
        }
        return b.build();
    }

    /** Loads the assigned span unless it is the one already served (or sessions still run on the old one). */
    private void apply(SpanAssignment a) {
        if (a == null || draining) return;
        SpanAssignment cur = loaded;
        if (cur != null && cur.getModelId().equals(a.getModelId()) && cur.getFromLayer() == a.getFromLayer()
                && cur.getToLayer() == a.getToLayer()) {
            loaded = a; // same span, maybe a new epoch
            return;
        }
        SpanHost old = host;
        if (old != null && old.activeSessions() > 0) return; // move once they finish (hysteresis: never cut sessions)
        Path file = modelFiles.get(a.getModelId());
        if (file == null) {
            log.printf("braid node %s: assigned model %s which this node does not hold; ignoring%n", nodeId, a.getModelId());
            return;
        }
        LlamaModel model = LlamaModel.open(file);
        SpanHost fresh = new SpanHost(model, a.getModelId(), a.getFromLayer(), a.getToLayer(), compute,
                config.kvBudgetBytes(), config.gatherWindow().toNanos());
        host = fresh;
        loaded = a;
        if (old != null) old.close();
        log.printf("braid node %s: serving %s layers [%d, %d)%n", nodeId, a.getModelId(), a.getFromLayer(), a.getToLayer());
        kick.release(); // tell the gateway at once
    }

    /**
     * The SIGTERM path: refuse new sessions, let in-flight ones finish (up to the drain timeout; the
     * rest are handed back — the gateway replays them elsewhere), deregister, stop.
     */
    public void drain() {
        if (stopped) return;
        draining = true;
        kick.release();
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        SpanHost h = host;
        while (h != null && h.activeSessions() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        try {
            RegistryGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .deregister(signer.sign(Goodbye.newBuilder().setReason("draining").build()));
        } catch (RuntimeException e) {
            log.printf("braid node %s: could not deregister (%s)%n", nodeId, e.getMessage());
        }
        close();
    }

    /** Stops at once (sessions are cut; the gateway recovers them by replay). */
    @Override
    public void close() {
        if (stopped) return;
        stopped = true;
        if (control != null) control.interrupt();
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (channel != null) channel.shutdownNow();
        SpanHost h = host;
        if (h != null) h.close();
        compute.close();
    }
}
