package io.braid.gateway.cluster;

import io.braid.crypto.PublicKey;
import io.braid.protocol.EnvelopeVerifier;
import io.braid.protocol.RejectedMessageException;
import io.braid.protocol.v1.Ack;
import io.braid.protocol.v1.Goodbye;
import io.braid.protocol.v1.Heartbeat;
import io.braid.protocol.v1.HeartbeatReply;
import io.braid.protocol.v1.ModelFile;
import io.braid.protocol.v1.NodeHello;
import io.braid.protocol.v1.NodeState;
import io.braid.protocol.v1.RegisterReply;
import io.braid.protocol.v1.RegistryGrpc;
import io.braid.protocol.v1.Signed;
import io.braid.protocol.v1.SpanAssignment;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The node registry: signed registration, heartbeats and liveness, span placement and rebalancing.
 * Every node message is checked by the {@link EnvelopeVerifier} (signature, 30 s skew, replay).
 */
final class Registry extends RegistryGrpc.RegistryImplBase {
    /** What placement needs to know about a served model. */
    record ModelShape(String id, int layers, long sizeBytes, double flopsPerLayerRow) {}

    private final Map<String, ModelShape> models;
    private final EnvelopeVerifier verifier;
    private final Clock clock;
    private final ClusterConfig config;
    private final PrintStream log;
    private final Map<PublicKey, NodeRecord> nodes = new LinkedHashMap<>();
    private long epoch;

    Registry(Map<String, ModelShape> models, EnvelopeVerifier verifier, Clock clock, ClusterConfig config, PrintStream log) {
        this.models = models;
        this.verifier = verifier;
        this.clock = clock;
        this.config = config;
        this.log = log;
    }

    // ---- gRPC ----

    @Override
    public void register(Signed request, StreamObserver<RegisterReply> out) {
        NodeHello hello;
        try {
            hello = verifier.open(request, "NodeHello", NodeHello.parser(), null);
        } catch (RejectedMessageException e) {
            out.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        PublicKey key = new PublicKey(request.getNodeKey().toByteArray());
        Set<String> held = new HashSet<>();
        for (ModelFile f : hello.getModelsList()) {
            ModelShape m = models.get(f.getModelId());
            if (m != null && f.getNLayers() == m.layers() && f.getSizeBytes() == m.sizeBytes()) held.add(f.getModelId());
        }
        NodeRecord rec;
        SpanAssignment a;
        synchronized (this) {
            NodeRecord old = nodes.remove(key);
            if (old != null) kill(old, "re-registered");
            String id = key.hex().substring(0, 16);
            rec = new NodeRecord(id, key, hello.getAddress(), hello.getCapacity(), hello.getMaxLayers(), held,
                    NettyChannelBuilder.forTarget(hello.getAddress()).usePlaintext().maxInboundMessageSize(256 << 20).build(),
                    clock.millis());
            nodes.put(key, rec);
            join(rec, true);
            a = rec.assigned;
        }
        log.printf("gateway: node %s registered from %s (%.2f GFLOP/s, models %s) -> %s%n", rec.id, rec.address,
                rec.capacity.getFlops() / 1e9, held, a == null ? "standby" : a.getModelId() + " [" + a.getFromLayer() + "," + a.getToLayer() + ")");
        RegisterReply.Builder r = RegisterReply.newBuilder().setNodeId(rec.id).setHeartbeatIntervalMs(config.heartbeat().toMillis())
                .setGatewayTimeMs(clock.millis());
        if (a != null) r.setAssignment(a);
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void heartbeat(Signed request, StreamObserver<HeartbeatReply> out) {
        NodeRecord rec = alive(request);
        Heartbeat hb;
        try {
            hb = verifier.open(request, "Heartbeat", Heartbeat.parser(), rec == null ? null : rec.key);
        } catch (RejectedMessageException e) {
            out.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        if (rec == null) {
            out.onNext(HeartbeatReply.newBuilder().setReregister(true).build());
            out.onCompleted();
            return;
        }
        SpanAssignment a;
        synchronized (this) {
            rec.last = hb;
            rec.lastSeenMillis = clock.millis();
            rec.loaded = hb.hasLoaded() ? hb.getLoaded() : null;
            if (hb.getState() == NodeState.DRAINING && rec.state != NodeRecord.State.DRAINING) {
                rec.state = NodeRecord.State.DRAINING;
                leave(rec);
            } else if (hb.getState() == NodeState.DRAINING) rec.state = NodeRecord.State.DRAINING;
            else if (rec.loaded != null && sameSpan(rec.loaded, rec.assigned)) rec.state = NodeRecord.State.READY;
            else rec.state = rec.loaded != null ? NodeRecord.State.READY : NodeRecord.State.LOADING;
            if (rec.model == null && rec.state != NodeRecord.State.DRAINING) join(rec, false);
            a = rec.assigned;
            notifyAll();
        }
        HeartbeatReply.Builder r = HeartbeatReply.newBuilder();
        if (a != null) r.setAssignment(a);
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void deregister(Signed request, StreamObserver<Ack> out) {
        NodeRecord rec = alive(request);
        try {
            Goodbye g = verifier.open(request, "Goodbye", Goodbye.parser(), rec == null ? null : rec.key);
            if (rec != null) {
                synchronized (this) {
                    kill(rec, "deregistered: " + g.getReason());
                }
            }
            out.onNext(Ack.newBuilder().setOk(true).build());
            out.onCompleted();
        } catch (RejectedMessageException e) {
            out.onError(Status.PERMISSION_DENIED.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    private NodeRecord alive(Signed s) {
        if (s.getNodeKey().size() != 32) return null;
        synchronized (this) {
            NodeRecord r = nodes.get(new PublicKey(s.getNodeKey().toByteArray()));
            return r != null && r.state != NodeRecord.State.DEAD ? r : null;
        }
    }

    private static boolean sameSpan(SpanAssignment a, SpanAssignment b) {
        return a != null && b != null && a.getModelId().equals(b.getModelId()) && a.getFromLayer() == b.getFromLayer()
                && a.getToLayer() == b.getToLayer();
    }

    // ---- placement ----

    private double throughput(NodeRecord n, ModelShape m) {
        return (n.capacity.getFlops() > 0 ? n.capacity.getFlops() : 1e9) / m.flopsPerLayerRow();
    }

    /** Live members of a model's layout, in registration order. */
    private List<NodeRecord> members(String modelId) {
        List<NodeRecord> out = new ArrayList<>();
        for (NodeRecord n : nodes.values())
            if (modelId.equals(n.model) && n.state != NodeRecord.State.DEAD && n.state != NodeRecord.State.DRAINING) out.add(n);
        return out;
    }

    /**
     * Adds an eligible node to the layout of the model (among those it holds) with the fewest replicas
     * of its weakest layer, then re-lays that model out.
     */
    private void join(NodeRecord n, boolean announce) {
        if (!config.eligible().test(n.key)) {
            if (announce) log.printf("gateway: node %s is not eligible for a span yet (no stake?); standing by%n", n.id);
            return;
        }
        ModelShape best = null;
        int bestMin = Integer.MAX_VALUE;
        for (String id : n.models) {
            ModelShape m = models.get(id);
            List<Placement.Range> spans = new ArrayList<>();
            for (NodeRecord o : members(id)) if (o.assigned != null) spans.add(new Placement.Range(o.assigned.getFromLayer(), o.assigned.getToLayer()));
            int min = Placement.minReplicas(m.layers(), spans);
            if (min < bestMin) {
                bestMin = min;
                best = m;
            }
        }
        if (best == null) return;
        n.model = best.id();
        relayout(best);
    }

    /** A node left the layout (dead, draining, deregistered): re-lay its model out among the rest. */
    private void leave(NodeRecord n) {
        String m = n.model;
        if (m != null) relayout(models.get(m));
    }

    /**
     * Recomputes the model's spans for its current members ({@link Placement#layout}) and hands out
     * the ones that changed. Hysteresis: layouts change only when membership changes (never on load
     * noise: throughput is bucketed in powers of two), and a node moves only once its open sessions
     * have finished (the node defers the switch), so no session is ever cut by a rebalance.
     */
    private void relayout(ModelShape m) {
        List<NodeRecord> ms = members(m.id());
        List<Placement.Member> spec = new ArrayList<>();
        for (NodeRecord n : ms) {
            // A node serving sessions cannot move before they end: lay the others out around its current span.
            SpanAssignment l = n.loaded;
            boolean busy = n.last.getActiveSessions() > 0 || n.openSessions.get() > 0;
            Placement.Range fixed = busy && l != null && l.getModelId().equals(m.id()) ? new Placement.Range(l.getFromLayer(), l.getToLayer()) : null;
            spec.add(new Placement.Member(throughput(n, m), n.maxLayers, fixed));
        }
        List<Placement.Range> ranges = Placement.layout(m.layers(), config.targetReplicas(), spec);
        for (int i = 0; i < ms.size(); i++) {
            NodeRecord n = ms.get(i);
            Placement.Range r = ranges.get(i);
            SpanAssignment a = n.assigned;
            if (a != null && a.getModelId().equals(m.id()) && a.getFromLayer() == r.from() && a.getToLayer() == r.to()) continue;
            n.assigned = SpanAssignment.newBuilder().setModelId(m.id()).setFromLayer(r.from()).setToLayer(r.to()).setEpoch(++epoch).build();
            if (a != null) log.printf("gateway: node %s moves from [%d,%d) to [%d,%d) of %s%n", n.id, a.getFromLayer(), a.getToLayer(), r.from(), r.to(), m.id());
        }
    }

    /** Marks nodes silent past the timeout dead. Called periodically. */
    synchronized void sweep() {
        long now = clock.millis();
        for (NodeRecord n : List.copyOf(nodes.values()))
            if (n.state != NodeRecord.State.DEAD && now - n.lastSeenMillis > config.nodeTimeout().toMillis())
                kill(n, "no heartbeat for " + (now - n.lastSeenMillis) + " ms");
        nodes.values().removeIf(n -> n.state == NodeRecord.State.DEAD && now - n.lastSeenMillis > 300_000);
    }

    private void kill(NodeRecord n, String why) {
        if (n.state == NodeRecord.State.DEAD) return;
        n.state = NodeRecord.State.DEAD;
        n.channel.shutdownNow();
        log.printf("gateway: node %s is gone (%s)%n", n.id, why);
        leave(n);
        notifyAll();
    }

    /** A task on this node failed: count it, and avoid the node for a while (it may be hung). */
    void reportFailure(NodeRecord n, boolean transport) {
        n.failures.incrementAndGet();
        n.suspectUntilMillis = clock.millis() + 30_000;
        if (transport) {
            synchronized (this) {
                // The connection itself broke: the node is most likely dead. Heartbeats revive it if not.
                if (n.state != NodeRecord.State.DEAD) n.lastSeenMillis = Math.min(n.lastSeenMillis, clock.millis() - config.nodeTimeout().toMillis() / 2);
            }
        }
    }

    synchronized List<NodeRecord> all() {
        return List.copyOf(nodes.values());
    }

    /** Waits for any registry change (or the timeout). */
    synchronized void awaitChange(long millis) throws InterruptedException {
        wait(Math.max(1, millis));
    }

    synchronized void closeAll() {
        for (NodeRecord n : nodes.values()) {
            n.channel.shutdownNow();
            try {
                n.channel.awaitTermination(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
