package io.braid.gateway.cluster;

import java.util.List;

/**
 * Which layers a node should host. Coverage of a layer = the summed throughput of the nodes hosting it.
 * A joining node takes as many layers as it can hold ({@code maxLayers}, 0 = all), placed on the window
 * whose weakest layer is the weakest of the model: fewest replicas first (so every layer gets a
 * second replica before any gets a third), covering as many such layers as possible, then least
 * throughput; ties go to the least-covered window, then the lowest start. Spans are uneven whenever nodes' limits differ.
 */
public final class Placement {
    private Placement() {}

    /** A node's current span and its throughput (layer-tokens per second). */
    public record Covering(int from, int to, double throughput) {}

    /** A span [from, to). */
    public record Range(int from, int to) {
        public int length() {
            return to - from;
        }
    }

    /** Summed throughput per layer. */
    public static double[] coverage(int layers, List<Covering> coverings) {
        double[] c = new double[layers];
        for (Covering k : coverings)
            for (int l = Math.max(0, k.from()); l < Math.min(layers, k.to()); l++) c[l] += k.throughput();
        return c;
    }

    /** The span for a node that can hold {@code maxLayers} layers (0 = unlimited). */
    public static Range place(int layers, int maxLayers, List<Covering> others) {
        int k = maxLayers <= 0 ? layers : Math.min(layers, maxLayers);
        double[] c = coverage(layers, others);
        int[] n = new int[layers];
        for (Covering o : others) for (int l = Math.max(0, o.from()); l < Math.min(layers, o.to()); l++) n[l] = Math.min(2, n[l] + 1);
        // Score each window: its fewest replicas (beyond two, throughput decides), then how many layers at
        // that count it covers (more is better), then the least throughput among them, then total coverage.
        int best = 0, bestCount = Integer.MAX_VALUE, bestWeak = -1;
        double bestMin = Double.MAX_VALUE, bestSum = Double.MAX_VALUE;
        for (int s = 0; s + k <= layers; s++) {
            int count = Integer.MAX_VALUE;
            for (int l = s; l < s + k; l++) count = Math.min(count, n[l]);
            int weak = 0;
            double min = Double.MAX_VALUE, sum = 0;
            for (int l = s; l < s + k; l++) {
                sum += c[l];
                if (n[l] == count) {
                    weak++;
                    min = Math.min(min, c[l]);
                }
            }
            boolean better = count < bestCount
                    || (count == bestCount && (weak > bestWeak
                    || (weak == bestWeak && (min < bestMin || (min == bestMin && sum < bestSum)))));
            if (better) {
                best = s;
                bestCount = count;
                bestWeak = weak;
                bestMin = min;
                bestSum = sum;
            }
        }
        return new Range(best, best + k);
    }

    /** Replicas of the least-replicated layer (0 = some layer is uncovered). */
    public static int minReplicas(int layers, List<Range> spans) {
        int[] n = new int[layers];
        for (Range r : spans) for (int l = r.from(); l < r.to(); l++) n[l]++;
        int min = Integer.MAX_VALUE;
        for (int v : n) min = Math.min(min, v);
        return layers == 0 ? 0 : min;
    }
}
