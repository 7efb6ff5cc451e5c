package io.braid.gateway.cluster;

import io.braid.crypto.PublicKey;
import io.braid.protocol.v1.Capacity;
import io.braid.protocol.v1.Heartbeat;
import io.braid.protocol.v1.SpanAssignment;
import io.grpc.ManagedChannel;
import java.util.concurrent.atomic.AtomicLong;

/** The gateway's view of one node. Mutable; guarded by the {@link Registry}'s lock except the counters. */
final class NodeRecord {
    enum State { LOADING, READY, DRAINING, DEAD }

    final String id;
    final PublicKey key;
    final String address;
    final Capacity capacity;
    final int maxLayers;
    final long registeredAtMillis;
    final ManagedChannel channel;
    final java.util.Set<String> models;
    volatile State state = State.LOADING;
    volatile String model;            // the model whose layout the node is part of (null: standby)
    volatile SpanAssignment assigned;
    volatile SpanAssignment loaded;
    volatile Heartbeat last = Heartbeat.getDefaultInstance();
    volatile long lastSeenMillis;
    volatile long suspectUntilMillis;
    volatile double rttEwmaSeconds = 0.002;
    final AtomicLong failures = new AtomicLong();
    final AtomicLong openSessions = new AtomicLong();

    NodeRecord(String id, PublicKey key, String address, Capacity capacity, int maxLayers, java.util.Set<String> models,
               ManagedChannel channel, long now) {
        this.id = id;
        this.key = key;
        this.address = address;
        this.capacity = capacity;
        this.maxLayers = maxLayers;
        this.models = models;
        this.channel = channel;
        this.registeredAtMillis = now;
        this.lastSeenMillis = now;
    }

    boolean serves(String modelId) {
        SpanAssignment l = loaded;
        return state == State.READY && l != null && l.getModelId().equals(modelId);
    }

    /**
     * Seconds to push one row through {@code layers} layers here: measured by the node on real batches
     * when it has run some (heartbeat), else estimated from its measured FLOP/s.
     */
    double secondsPerRow(double flopsPerLayerRow, int layers) {
        SpanAssignment l = loaded;
        double measured = last.getRecentRowSeconds();
        if (measured > 0 && l != null && l.getToLayer() > l.getFromLayer())
            return measured * layers / (l.getToLayer() - l.getFromLayer());
        double f = capacity.getFlops() > 0 ? capacity.getFlops() : 1e9;
        return flopsPerLayerRow * layers / f;
    }

    void observeRtt(double seconds) {
        rttEwmaSeconds = 0.8 * rttEwmaSeconds + 0.2 * seconds;
    }
}
