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

    /**
     * A node of the layout: its measured throughput, the most layers it will hold (0 = all), and the
     * span it must keep (null = free to move; a node serving sessions keeps its span).
     */
    public record Member(double throughput, int maxLayers, Range fixed) {
        public Member(double throughput, int maxLayers) {
            this(throughput, maxLayers, null);
        }
    }

    /**
     * Throughput relative to the median, in powers of two, and 1 for every node within 3x of the
     * median: coarse on purpose, so measurement noise (a busy machine easily measures 2x apart) neither
     * reshapes spans nor reorders equal nodes; a genuinely 4x faster node holds 4x the layers.
     */
    static double[] weights(List<Member> members) {
        double[] t = members.stream().mapToDouble(Member::throughput).sorted().toArray();
        double median = t.length == 0 ? 1 : t[t.length / 2];
        double[] w = new double[members.size()];
        for (int i = 0; i < w.length; i++) {
            double r = median > 0 && members.get(i).throughput() > 0 ? members.get(i).throughput() / median : 1;
            w[i] = r >= 1.0 / 3 && r <= 3 ? 1 : Math.pow(2, Math.max(-3, Math.min(3, Math.round(Math.log(r) / Math.log(2)))));
        }
        return w;
    }

    /**
     * The spans of all nodes of a model, in join order: node i gets
     * {@code ceil(replicas * layers * w_i / sum(w))} layers (at least 1, at most its limit) — so with
     * {@code replicas = 2} every layer gets about two replicas, a faster node holds proportionally
     * more layers, and one node alone holds the whole model — each placed by {@link #place} on the
     * weakest window given the nodes before it.
     */
    public static List<Range> layout(int layers, int replicas, List<Member> members) {
        double[] w = weights(members);
        double total = java.util.Arrays.stream(w).sum();
        int n = members.size();
        int[] cap = new int[n], len = new int[n];
        long sum = 0, capSum = 0;
        for (int i = 0; i < n; i++) {
            cap[i] = members.get(i).maxLayers() <= 0 ? layers : Math.min(layers, members.get(i).maxLayers());
            len[i] = Math.max(1, Math.min(cap[i], (int) Math.ceil(replicas * layers * w[i] / total - 1e-9)));
            sum += len[i];
            capSum += cap[i];
        }
        // Never leave layers under-replicated for the sake of proportions: grow the spans (fastest per layer
        // first) until they add up to `replicas` copies of the model, when the nodes' limits allow it — a slow
        // node rounded down to one layer must not leave the layers next to it on a single node.
        while (sum < Math.min((long) replicas * layers, capSum)) {
            int pick = -1;
            for (int i = 0; i < n; i++)
                if (len[i] < cap[i] && (pick < 0 || w[i] / len[i] > w[pick] / len[pick])) pick = i;
            len[pick]++;
            sum++;
        }
        List<Covering> placed = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Range f = members.get(i).fixed();
            if (f != null) placed.add(new Covering(f.from(), f.to(), w[i]));
        }
        List<Range> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Range r = members.get(i).fixed() != null ? members.get(i).fixed() : place(layers, len[i], placed);
            if (members.get(i).fixed() == null) placed.add(new Covering(r.from(), r.to(), w[i]));
            out.add(r);
        }
        return out;
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
