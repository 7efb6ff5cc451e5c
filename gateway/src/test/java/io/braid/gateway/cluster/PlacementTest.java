package io.braid.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {

    private static List<Placement.Range> joinAll(int layers, int[] maxLayers, double[] throughput) {
        List<Placement.Covering> placed = new ArrayList<>();
        List<Placement.Range> out = new ArrayList<>();
        for (int i = 0; i < maxLayers.length; i++) {
            Placement.Range r = Placement.place(layers, maxLayers[i], placed);
            placed.add(new Placement.Covering(r.from(), r.to(), throughput[i]));
            out.add(r);
        }
        return out;
    }

    @Test
    void firstNodesTileThePipelineWithUnevenSpans() {
        assertThat(joinAll(5, new int[] {3, 2}, new double[] {1, 1}))
                .containsExactly(new Placement.Range(0, 3), new Placement.Range(3, 5));
        assertThat(joinAll(5, new int[] {2, 1, 2}, new double[] {1, 1, 1}))
                .containsExactly(new Placement.Range(0, 2), new Placement.Range(2, 3), new Placement.Range(3, 5));
        assertThat(joinAll(22, new int[] {0}, new double[] {1})).containsExactly(new Placement.Range(0, 22));
    }

    @Test
    void anyNodeCountAndLayerCountWork() {
        for (int layers : new int[] {1, 5, 7, 22, 80})
            for (int nodes = 1; nodes <= 9; nodes++) {
                int per = (layers + nodes - 1) / nodes;
                int[] max = new int[nodes];
                double[] tp = new double[nodes];
                java.util.Arrays.fill(max, per);
                java.util.Arrays.fill(tp, 1);
                List<Placement.Range> spans = joinAll(layers, max, tp);
                assertThat(Placement.minReplicas(layers, spans)).as("%d layers on %d nodes: %s", layers, nodes, spans).isGreaterThanOrEqualTo(1);
            }
    }

    @Test
    void laterNodesReplicateWhereThroughputIsScarcestUntilEveryLayerHasTwoReplicas() {
        // a slow node holds [3,5): the next 2-layer node goes there, not onto the fast half
        List<Placement.Range> r = joinAll(5, new int[] {3, 2, 2}, new double[] {10, 1, 5});
        assertThat(r.get(2)).isEqualTo(new Placement.Range(3, 5));
        for (double[] tp : new double[][] {{1, 1, 1, 1}, {100, 1, 1, 1}, {1, 100, 1, 1}, {1, 1, 100, 1}}) {
            List<Placement.Range> four = joinAll(5, new int[] {3, 2, 3, 2}, tp);
            assertThat(Placement.minReplicas(5, four)).as("throughputs %s: %s", java.util.Arrays.toString(tp), four).isEqualTo(2);
        }
        // past two replicas, throughput decides: the third copy goes to the slow half
        List<Placement.Range> five = joinAll(4, new int[] {2, 2, 2, 2, 2}, new double[] {1, 9, 1, 9, 1});
        assertThat(five.get(4)).isEqualTo(new Placement.Range(0, 2));
    }

    private static List<Placement.Range> layout(int layers, double... throughputs) {
        List<Placement.Member> ms = new ArrayList<>();
        for (double t : throughputs) ms.add(new Placement.Member(t, 0));
        return Placement.layout(layers, 2, ms);
    }

    @Test
    void layoutShardsForTwoReplicasSizedByThroughput() {
        assertThat(layout(5, 1)).containsExactly(new Placement.Range(0, 5));
        assertThat(layout(5, 1, 1)).containsExactly(new Placement.Range(0, 5), new Placement.Range(0, 5));
        // three equal nodes on 5 layers: spans of 4 (ceil(2*5/3)), a pipeline through different nodes
        assertThat(layout(5, 1, 1.2, 0.9)).containsExactly(new Placement.Range(0, 4), new Placement.Range(1, 5), new Placement.Range(0, 4));
        List<Placement.Range> four = layout(22, 1, 1, 1, 1);
        assertThat(four).containsExactly(new Placement.Range(0, 11), new Placement.Range(11, 22), new Placement.Range(0, 11), new Placement.Range(11, 22));
        // a node measured 4x faster than the median takes proportionally more layers
        List<Placement.Range> uneven = layout(22, 1, 4, 1, 2.5, 0.4); // 2.5x and 0.4x are noise; 4x is not
        assertThat(uneven.get(1).length()).isEqualTo(22);
        assertThat(uneven.get(0).length()).isEqualTo(6); // ceil(2 * 22 * 1 / 8)
        for (int n = 1; n <= 9; n++) {
            double[] tp = new double[n];
            java.util.Arrays.fill(tp, 1);
            // contiguous spans tile exactly twice for 2 and 4 nodes; other counts cover every layer at least once
            assertThat(Placement.minReplicas(22, layout(22, tp))).as("%d nodes", n).isGreaterThanOrEqualTo(n == 2 || n == 4 ? 2 : 1);
        }
        // a node measured far slower still leaves nothing uncovered: the spans grow to add up to the model
        assertThat(Placement.layout(5, 2, List.of(new Placement.Member(0.03, 3), new Placement.Member(1.1, 2))))
                .containsExactly(new Placement.Range(0, 3), new Placement.Range(3, 5));
        // a slow node rounded down to one layer does not leave its neighbours on a single node: with room for two
        // replicas of every layer (caps 3+2+3+2 = 10 = 2 x 5) the spans grow until every layer has two
        assertThat(Placement.minReplicas(5, Placement.layout(5, 2, List.of(new Placement.Member(2.8e9, 3),
                new Placement.Member(0.18e9, 2), new Placement.Member(0.69e9, 3), new Placement.Member(0.35e9, 2)))))
                .isEqualTo(2);
        // memory limits cap the sizes; noise within 3x does not change anything
        assertThat(Placement.layout(5, 2, List.of(new Placement.Member(1, 3), new Placement.Member(1.3, 2))))
                .containsExactly(new Placement.Range(0, 3), new Placement.Range(3, 5));
    }

    @Test
    void coverageSumsThroughputPerLayer() {
        double[] c = Placement.coverage(4, List.of(new Placement.Covering(0, 2, 1.5), new Placement.Covering(1, 4, 2)));
        assertThat(c).containsExactly(1.5, 3.5, 2, 2);
        assertThat(Placement.minReplicas(4, List.of(new Placement.Range(0, 2)))).isZero();
    }
}
