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
            a = assign(rec);
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
            if (hb.getState() == NodeState.DRAINING) rec.state = NodeRecord.State.DRAINING;
            else if (rec.loaded != null && sameSpan(rec.loaded, rec.assigned)) rec.state = NodeRecord.State.READY;
            else rec.state = rec.loaded != null ? NodeRecord.State.READY : NodeRecord.State.LOADING;
            if (rec.assigned == null && rec.state != NodeRecord.State.DRAINING) rec.assigned = assign(rec);
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
                    rebalance();
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

    private List<Placement.Covering> coverings(String modelId, NodeRecord except) {
        List<Placement.Covering> out = new ArrayList<>();
        ModelShape m = models.get(modelId);
        for (NodeRecord n : nodes.values()) {
            if (n == except || n.state == NodeRecord.State.DEAD || n.state == NodeRecord.State.DRAINING) continue;
            SpanAssignment a = n.assigned;
            if (a != null && a.getModelId().equals(modelId)) out.add(new Placement.Covering(a.getFromLayer(), a.getToLayer(), throughput(n, m)));
        }
        return out;
    }

    /** Picks the model whose weakest layer is weakest among those the node holds, and the span on it. */
    private SpanAssignment assign(NodeRecord n) {
        ModelShape best = null;
        double bestMin = Double.MAX_VALUE;
        for (String id : n.models) {
            ModelShape m = models.get(id);
            double min = java.util.Arrays.stream(Placement.coverage(m.layers(), coverings(id, n))).min().orElse(0);
            if (min < bestMin) {
                bestMin = min;
                best = m;
            }
        }
        if (best == null) return null;
        Placement.Range r = Placement.place(best.layers(), n.maxLayers, coverings(best.id(), n));
        SpanAssignment a = SpanAssignment.newBuilder().setModelId(best.id()).setFromLayer(r.from()).setToLayer(r.to())
                .setEpoch(++epoch).build();
        n.assigned = a;
        return a;
    }

    /**
     * After a node leaves: if a layer of a model is now uncovered, move one node whose layers all keep
     * another replica (and that serves no session) onto the gap. Hysteresis: only an uncovered layer
     * triggers a move, never a mere imbalance, and a node is never moved away from live sessions.
     */
    private void rebalance() {
        for (ModelShape m : models.values()) {
            double[] c = Placement.coverage(m.layers(), coverings(m.id(), null));
            boolean gap = java.util.Arrays.stream(c).anyMatch(v -> v == 0);
            if (!gap) continue;
            for (NodeRecord n : nodes.values()) {
                if (n.state != NodeRecord.State.READY || !n.models.contains(m.id()) || n.last.getActiveSessions() > 0) continue;
                SpanAssignment a = n.assigned;
                if (a != null && a.getModelId().equals(m.id())) {
                    double[] without = Placement.coverage(m.layers(), coverings(m.id(), n));
                    boolean needed = false;
                    for (int l = a.getFromLayer(); l < a.getToLayer(); l++) needed |= without[l] == 0 && c[l] > 0;
                    if (needed) continue;
                }
                SpanAssignment fresh = assign(n);
                log.printf("gateway: rebalance: node %s moves to %s [%d,%d) to cover a gap%n", n.id, fresh.getModelId(),
                        fresh.getFromLayer(), fresh.getToLayer());
                break;
            }
        }
    }

    /** Marks nodes silent past the timeout dead. Called periodically. */
    synchronized void sweep() {
        long now = clock.millis();
        boolean changed = false;
        for (NodeRecord n : nodes.values())
            if (n.state != NodeRecord.State.DEAD && now - n.lastSeenMillis > config.nodeTimeout().toMillis()) {
                kill(n, "no heartbeat for " + (now - n.lastSeenMillis) + " ms");
                changed = true;
            }
        if (changed) rebalance();
        nodes.values().removeIf(n -> n.state == NodeRecord.State.DEAD && now - n.lastSeenMillis > 300_000);
    }

    private void kill(NodeRecord n, String why) {
        if (n.state == NodeRecord.State.DEAD) return;
        n.state = NodeRecord.State.DEAD;
        n.channel.shutdownNow();
        log.printf("gateway: node %s is gone (%s)%n", n.id, why);
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
