package io.braid.gateway.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Routing: the chain of (node, layer range) hops covering layers [a, b) with the lowest estimated
 * latency, found by dynamic programming over layer boundaries. A hop may use any sub-range of a
 * node's loaded span. Estimated latency of a hop = RTT + (queued rows + 1) x compute per row, where
 * compute comes from the node's measured FLOP/s; a node that recently failed costs 30 s extra, so it
 * is used only when nothing else serves the layers.
 */
final class Router {
    private Router() {}

    /** One hop of a route. */
    record Hop(NodeRecord node, int from, int to) {}

    static double cost(NodeRecord n, int layers, double flopsPerLayerRow, long nowMillis) {
        double queue = n.last.getQueuedRows() + 1;
        double c = n.rttEwmaSeconds + queue * n.secondsPerRow(flopsPerLayerRow, layers);
        if (n.suspectUntilMillis > nowMillis) c += 30;
        return c;
    }

    /** The cheapest chain over [a, b), or an empty list when some layer has no usable node. */
    static List<Hop> route(String modelId, int a, int b, List<NodeRecord> nodes, Predicate<NodeRecord> usable,
                           double flopsPerLayerRow, long nowMillis) {
        int n = b - a;
        double[] best = new double[n + 1];
        Hop[] via = new Hop[n + 1];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        for (int i = 0; i < n; i++) {
            if (best[i] == Double.POSITIVE_INFINITY) continue;
            int layer = a + i;
            for (NodeRecord node : nodes) {
                if (!node.serves(modelId) || !usable.test(node)) continue;
                var span = node.loaded;
                if (span.getFromLayer() > layer || span.getToLayer() <= layer) continue;
                for (int end = layer + 1; end <= Math.min(b, span.getToLayer()); end++) {
                    double c = best[i] + cost(node, end - layer, flopsPerLayerRow, nowMillis);
                    int j = end - a;
                    if (c < best[j]) {
                        best[j] = c;
                        via[j] = new Hop(node, layer, end);
                    }
                }
            }
        }
        if (via[n] == null) return List.of();
        List<Hop> hops = new ArrayList<>();
        for (int j = n; j > 0; j = via[j].from() - a) hops.add(via[j]);
        Collections.reverse(hops);
        return hops;
    }
}
