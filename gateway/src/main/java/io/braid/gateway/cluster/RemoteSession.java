package io.braid.gateway.cluster;

import io.braid.gateway.inference.NoCapacityException;
import io.braid.model.llama.SpanChain;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's layers over the network: the engine's {@link io.braid.model.llama.Generator} calls
 * {@link #forward} exactly as it calls a local chain. The session keeps, per layer boundary, the
 * encoded rows it sent into that boundary; when a hop fails (dead, hung, refused, invalid or
 * unsigned reply) it routes that span elsewhere, replays the recorded rows to rebuild the new node's
 * KV cache and resends the step. In DETERMINISTIC mode a rebuilt cache is bit-identical, so the client
 * sees the same tokens and no error.
 */
final class RemoteSession implements SpanChain, AutoCloseable {
    /** The encoded rows that entered one boundary, in position order. */
    private static final class RowLog {
        final List<byte[]> chunks = new ArrayList<>();
        final List<Integer> chunkRows = new ArrayList<>();
        int rows;

        void add(int start, int n, byte[] data) {
            if (start != rows) throw new IllegalStateException("row log gap: have " + rows + " rows, got rows from " + start);
            chunks.add(data);
            chunkRows.add(n);
            rows += n;
        }

        /** The encoded rows [0, upTo); upTo falls on a step boundary. */
        byte[] concat(int upTo) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int r = 0;
            for (int i = 0; i < chunks.size() && r < upTo; i++) {
                if (r + chunkRows.get(i) > upTo) throw new IllegalStateException("replay boundary inside a step");
                out.writeBytes(chunks.get(i));
                r += chunkRows.get(i);
            }
            if (r != upTo) throw new IllegalStateException("row log has " + r + " rows, replay needs " + upTo);
            return out.toByteArray();
        }
    }

    private final Cluster cluster;
    private final Cluster.Served model;
    private final String sessionId;
    private final int maxPositions;
    private final io.braid.tensor.codec.ActivationCodec codec;
    private final TreeMap<Integer, HopStream> route = new TreeMap<>();
    private final Map<Integer, RowLog> logs = new HashMap<>();
    private final Map<NodeRecord, Long> excludedUntil = new HashMap<>();
    private long step;
    private int failovers;
    private boolean lastFailuresBusy;

    RemoteSession(Cluster cluster, Cluster.Served model, String sessionId, int maxPositions, io.braid.tensor.codec.ActivationCodec codec) {
        this.cluster = cluster;
        this.codec = codec;
        this.model = model;
        this.sessionId = sessionId;
        this.maxPositions = maxPositions;
    }

    int failovers() {
        return failovers;
    }

    List<String> routeNodeIds() {
        return route.values().stream().map(h -> h.hop.node().id).toList();
    }

    /** The current route with each hop's layer range (what each node computes for this session). */
    List<io.braid.gateway.inference.RouteHop> routeHops() {
        return route.values().stream().map(h -> new io.braid.gateway.inference.RouteHop(h.hop.node().id,
                h.hop.node().key.hex(), h.hop.from(), h.hop.to())).toList();
    }

    private RowLog log(int boundary) {
        return logs.computeIfAbsent(boundary, b -> new RowLog());
    }

    private long deadline(int rows) {
        return System.nanoTime() + cluster.config().stepDeadline().toNanos() + rows * cluster.config().perRowDeadline().toNanos();
    }

    @Override
    public void forward(float[] x, int batch, int firstPosition) {
        int layers = model.info().layers();
        int dim = model.info().dim();
        byte[] cur = codec.encode(x, 0, batch, dim);
        if (route.isEmpty()) repair(0, firstPosition);
        int boundary = 0;
        while (boundary < layers) {
            RowLog log = log(boundary);
            if (log.rows == firstPosition) log.add(firstPosition, batch, cur);
            HopStream h = route.get(boundary);
            if (h == null) {
                repair(boundary, firstPosition);
                continue;
            }
            try {
                byte[] out = h.forward(++step, firstPosition, batch, cur, false, deadline(batch));
                LiveAudit audit = cluster.liveAudit(); // proof of compute: a failed audit fails over like a bad reply
                if (audit != null) audit.check(model, codec, h, log.concat(firstPosition), cur, firstPosition, batch, out);
                cluster.countWire(cur.length + out.length);
                cur = out;
                boundary = h.hop.to();
            } catch (HopFailure f) {
                fail(h, f);
                repair(boundary, firstPosition);
            }
        }
        codec.decode(cur, batch, dim, x, 0);
    }

    private void fail(HopStream h, HopFailure f) {
        h.close();
        route.values().remove(h);
        fail(h.hop, f);
    }

    private void fail(Router.Hop hop, HopFailure f) {
        cluster.log().printf("gateway: session %s: %s; moving layers [%d,%d)%n", sessionId, f.getMessage(), hop.from(), hop.to());
        cluster.registry().reportFailure(hop.node(), f.transport);
        long until = f.retryable ? System.currentTimeMillis() + 2_000 : Long.MAX_VALUE;
        excludedUntil.put(hop.node(), until);
        lastFailuresBusy = f.retryable;
        failovers++;
    }

    private boolean usable(NodeRecord n) {
        Long until = excludedUntil.get(n);
        return until == null || until < System.currentTimeMillis();
    }

    /**
     * Puts a working chain on the layers from {@code a} (where the failed or missing hop started),
     * replaying positions [0, first) into every new node.
     */
    private void repair(int a, int first) {
        int layers = model.info().layers();
        long giveUp = System.nanoTime() + cluster.config().noCapacityDeadline().toNanos();
        while (true) {
            Integer next = route.ceilingKey(a);
            int b = next == null ? layers : next;
            List<NodeRecord> nodes = cluster.registry().all();
            long now = System.currentTimeMillis();
            List<Router.Hop> hops = Router.route(model.info().id(), a, b, nodes, this::usable, model.flopsPerLayerRow(), now);
            if (hops.isEmpty() && b < layers) {
                hops = Router.route(model.info().id(), a, layers, nodes, this::usable, model.flopsPerLayerRow(), now);
                if (!hops.isEmpty()) {
                    for (HopStream old : List.copyOf(route.tailMap(a, true).values())) old.close();
                    route.tailMap(a, true).clear();
                }
            }
            if (!hops.isEmpty()) {
                try {
                    install(hops, first);
                    return;
                } catch (HopFailureAt e) {
                    fail(e.hop, e.failure);
                    continue;
                }
            }
            long left = giveUp - System.nanoTime();
            if (left <= 0) {
                throw new NoCapacityException("no node can serve layers " + a + ".." + (b - 1) + " of model " + model.info().id()
                        + " (waited " + cluster.config().noCapacityDeadline().toSeconds() + " s); start more nodes with this model",
                        lastFailuresBusy);
            }
            try {
                cluster.registry().awaitChange(Math.min(200, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NoCapacityException("interrupted while waiting for a node for layers " + a + ".." + (b - 1), false);
            }
        }
    }

    /** A failure while installing a replacement hop, with the hop to blame. */
    private static final class HopFailureAt extends Exception {
        final Router.Hop hop;
        final HopFailure failure;

        HopFailureAt(Router.Hop hop, HopFailure failure) {
            super(failure.getMessage());
            this.hop = hop;
            this.failure = failure;
        }
    }

    private void install(List<Router.Hop> hops, int first) throws HopFailureAt {
        List<HopStream> opened = new ArrayList<>();
        int dim = model.info().dim();
        for (Router.Hop hop : hops) {
            HopStream hs;
            try {
                hs = new HopStream(hop, sessionId, model.info().id(), maxPositions, codec, dim,
                        cluster.verifier(), deadline(0));
            } catch (HopFailure f) {
                opened.forEach(HopStream::close);
                throw new HopFailureAt(hop, f);
            }
            opened.add(hs);
            if (first > 0) {
                try {
                    byte[] in = log(hop.from()).concat(first);
                    RowLog outLog = log(hop.to());
                    boolean haveOut = outLog.rows >= first || hop.to() == model.info().layers();
                    byte[] out = hs.forward(++step, 0, first, in, haveOut, deadline(first));
                    cluster.countWire(in.length + (out == null ? 0 : out.length));
                    if (out != null && outLog.rows == 0) outLog.add(0, first, out);
                } catch (HopFailure f) {
                    opened.forEach(HopStream::close);
                    throw new HopFailureAt(hop, f);
                }
            }
        }
        for (HopStream hs : opened) route.put(hs.hop.from(), hs);
    }

    @Override
    public void close() {
        for (HopStream h : route.values()) h.close();
        route.clear();
    }
}
