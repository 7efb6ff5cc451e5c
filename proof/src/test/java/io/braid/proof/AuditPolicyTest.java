package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditPolicyTest {

    static Hash32 h(long v) {
        return Hashes.sha256(ByteBuffer.allocate(8).putLong(v).array());
    }

    @Test
    void newNodesAreAlwaysAuditedAndTheRateNeverFallsBelowTheFloor() {
        AuditPolicy p = new AuditPolicy(0, 5_000, 20);
        AuditPolicy.NodeRecord rec = AuditPolicy.NodeRecord.NEW;
        for (int i = 0; i < 20; i++) {
            assertThat(p.selects(h(i), h(-i), rec)).isTrue();
            rec = rec.pass();
        }
        assertThat(p.clean(rec)).isTrue();
        // governed rate 0 -> the floor still audits ~0.5%, however long the record
        AuditPolicy.NodeRecord veteran = new AuditPolicy.NodeRecord(1_000_000, 0);
        int hits = 0, n = 200_000;
        for (int i = 0; i < n; i++) if (p.selects(h(i), h(i + n), veteran)) hits++;
        assertThat((double) hits / n).isBetween(0.004, 0.006);
        assertThat(p.clean(veteran.fail())).isFalse();
        assertThatThrownBy(() -> new AuditPolicy(10_000, 0, 20)).hasMessageContaining("floor");
    }

    @Test
    void selectionDependsOnTheLaterBeaconNotOnlyOnTheCommitment() {
        AuditPolicy p = AuditPolicy.governed(100_000);
        AuditPolicy.NodeRecord veteran = new AuditPolicy.NodeRecord(100, 0);
        Hash32 commitment = h(7);
        int selected = 0;
        for (int b = 0; b < 10_000; b++) if (p.selects(h(1_000_000 + b), commitment, veteran)) selected++;
        // the same commitment is selected under ~10% of beacons: the node cannot know at commit time
        assertThat(selected).isBetween(900, 1100);
    }

    /**
     * Network-level detection: a node cheating on a fraction p of its tasks, audited at rate q (beacon selection),
     * is caught within n tasks with probability 1 − (1 − p·q)ⁿ. Simulated with the real selection function; every
     * audited cheating task counts as caught (CheatDetectionTest measures that at ≥ 99.9%).
     */
    @Test
    void detectionWithinNTasksFollowsTheFormula() {
        AuditPolicy policy = AuditPolicy.governed(10_000); // q = 1%
        AuditPolicy.NodeRecord veteran = new AuditPolicy.NodeRecord(1000, 0);
        double q = policy.effectivePpm() / 1e6;
        SplittableRandom rnd = new SplittableRandom(5);
        long id = 0;
        for (double p : new double[]{0.05, 0.2, 1.0}) {
            for (int n : new int[]{100, 1000}) {
                int trials = 2000, caught = 0;
                for (int t = 0; t < trials; t++) {
                    for (int i = 0; i < n; i++) {
                        boolean cheats = rnd.nextDouble() < p;
                        if (cheats && policy.selects(h(id++), h(rnd.nextLong()), veteran)) {
                            caught++;
                            break;
                        }
                    }
                }
                double expected = 1 - Math.pow(1 - p * q, n);
                double sigma = Math.sqrt(expected * (1 - expected) / trials);
                double got = (double) caught / trials;
                System.out.printf("p=%.2f q=%.3f n=%d: caught %.4f, formula %.4f%n", p, q, n, got, expected);
                assertThat(Math.abs(got - expected)).as("p=%s n=%s", p, n).isLessThanOrEqualTo(4 * sigma + 1e-3);
            }
        }
    }
}
