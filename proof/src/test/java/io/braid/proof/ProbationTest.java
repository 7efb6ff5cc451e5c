package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.model.llama.LlamaModel;
import io.braid.tensor.Compute;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many answers a cheater changes before its exclusion: a newcomer changes none (its tasks are shadowed until it
 * has a clean record); a node that builds a clean record and then cheats on every task changes answers until the
 * first audit that selects a cheating task — about 1/q tasks at audit rate q (the floor keeps q &gt; 0 forever).
 */
class ProbationTest {

    record Run(int tasks, int changed, boolean excluded) {
    }

    static Run run(LlamaModel model, Compute c, Hash32 root, TestNode.Schedule schedule, long ratePpm, int maxTasks, long seed) {
        TestNode node = new TestNode(model, 0, 1, c, root, TestNode.Cheat.ZERO, schedule, false, seed);
        TestNode established = TestNode.honest(model, 0, 1, c, root);
        TestNode gateway = TestNode.honest(model, 0, 1, c, root);
        Auditor auditor = new Auditor(AuditPolicy.governed(ratePpm), DigestCheck.Thresholds.DEFAULT, f -> { });
        Workload w = new Workload(model.embedding(), model.config().vocabSize(), model.config().dim(), seed, 3, 1);
        int changed = 0, tasks = 0;
        java.util.SplittableRandom beacons = new java.util.SplittableRandom(seed * 31);
        while (tasks < maxTasks && !auditor.excluded(node.id())) {
            tasks++;
            Workload.Task t = w.next();
            Reexecutor.Recomputation r = node.serve(t.id(), t.nonce(), t.history(), t.input(), t.firstPosition());
            auditor.record(r.commitment());
            TaskRecord rec = new TaskRecord(r.commitment(), t.history(), t.input());
            boolean shadowed = auditor.onProbation(node.id());
            float[] truth = established.reexecute(rec).output();
            if (!shadowed && !Arrays.equals(truth, r.output())) changed++;
            byte[] b = new byte[32];
            beacons.nextBytes(b);
            if (auditor.selected(new Hash32(b), r.commitment())) auditor.audit(rec, established, gateway);
        }
        return new Run(tasks, changed, auditor.excluded(node.id()));
    }

    @Test
    void newcomersChangeNoAnswerAndVeteransAreCaughtAfterAboutOneOverQ() {
        try (LlamaModel model = LlamaModel.open(Shared.stories()); Compute c = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            Hash32 root = Models.spanRoot(Shared.stories(), 0, 1).root();
            Run newcomer = run(model, c, root, new TestNode.Schedule(0.3, 0), 10_000, 1000, 1);
            assertThat(newcomer.excluded()).isTrue();
            assertThat(newcomer.changed()).isZero();
            int totalChanged = 0;
            int runs = 5;
            for (int i = 0; i < runs; i++) {
                // clean record first (probation passed), then cheat on every task; q = 1% governed
                Run veteran = run(model, c, root, new TestNode.Schedule(1.0, AuditPolicy.DEFAULT_CLEAN_AUDITS + 10), 10_000, 4000, 10 + i);
                assertThat(veteran.excluded()).as("run %d caught within 4000 tasks", i).isTrue();
                totalChanged += veteran.changed();
            }
            System.out.printf("newcomer (p=0.3): excluded after %d tasks, answers changed 0; clean-then-cheat (p=1, q=1%%): "
                    + "mean answers changed before exclusion %.1f over %d runs (expected ~%d)%n", newcomer.tasks(), (double) totalChanged / runs, runs, 100);
            assertThat(totalChanged).isPositive();
        }
    }
}
