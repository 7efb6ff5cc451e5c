package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.model.llama.LlamaModel;
import io.braid.tensor.Compute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Span-level audits in process (fast), on a 2-layer span of stories260K with 1-4 row tasks: every cheating behaviour is
 * detected on at least 99.9% of its audited cheating tasks (weights perturbed by 2% per weight; a 1% perturbation is
 * caught on 998/1000 such tiny tasks and on every task of the 3- and 5-layer spans in ProofCalibrationTest), and 10,000 audited honest tasks across the honest controls produce no failure, no false
 * accusation and no fraud proof.
 */
class CheatDetectionTest {

    @TempDir
    static Path tmp;
    static Compute det1, det2, fast1, fast2;
    static LlamaModel model;
    static Hash32 root2, root1;

    @BeforeAll
    static void setUp() {
        det1 = new Compute(1, Compute.Mode.DETERMINISTIC);
        det2 = new Compute(2, Compute.Mode.DETERMINISTIC);
        fast1 = new Compute(1, Compute.Mode.FAST);
        fast2 = new Compute(2, Compute.Mode.FAST);
        model = LlamaModel.open(Shared.stories());
        root2 = Models.spanRoot(Shared.stories(), 0, 2).root();
        root1 = Models.spanRoot(Shared.stories(), 0, 1).root();
    }

    @AfterAll
    static void close() {
        for (Compute c : List.of(det1, det2, fast1, fast2)) c.close();
        model.close();
    }

    private Workload workload(long seed) {
        return new Workload(model.embedding(), model.config().vocabSize(), model.config().dim(), seed, 4, 2);
    }

    /** Serves {@code n} tasks on {@code node}; audits each cheating one against an honest auditor; returns misses. */
    private static int[] detect(TestNode node, TestNode auditor, Workload w, int n) {
        int cheating = 0, missed = 0;
        long before = node.cheated;
        for (int i = 0; i < n; i++) {
            Workload.Task t = w.next();
            Reexecutor.Recomputation served = node.serve(t.id(), t.nonce(), t.history(), t.input(), t.firstPosition());
            boolean cheated = node.cheated > before;
            before = node.cheated;
            if (!cheated) continue;
            cheating++;
            Reexecutor.Recomputation audit = auditor.reexecute(new TaskRecord(served.commitment(), t.history(), t.input()));
            if (Verdicts.agrees(served.commitment(), audit.commitment(), audit.output(), DigestCheck.Thresholds.DEFAULT)) missed++;
        }
        return new int[]{cheating, missed};
    }

    @Test
    void everyCheatingBehaviourIsDetectedOnAtLeast999PerMilleOfAuditedTasks() throws Exception {
        TestNode auditor = TestNode.honest(model, 0, 2, det1, root2);
        int n = 1000;
        StringBuilder report = new StringBuilder();
        for (TestNode.Cheat ch : List.of(TestNode.Cheat.RANDOM, TestNode.Cheat.ZERO, TestNode.Cheat.SKIP_LAYER, TestNode.Cheat.REPLAY)) {
            // FAST mode and DET claims both: a DET claim is judged bit for bit, FAST by the digest
            Compute c = ch.ordinal() % 2 == 0 ? fast1 : det1;
            int[] r = detect(new TestNode(model, 0, 2, c, root2, ch, TestNode.Schedule.ALWAYS, false, ch.ordinal()), auditor, workload(ch.ordinal()), n);
            report.append(String.format("%-22s %d/%d detected%n", ch, r[0] - r[1], r[0]));
            assertThat(r[0]).isEqualTo(n);
            assertThat(r[1]).as("%s undetected", ch).isLessThanOrEqualTo(n / 1000);
        }
        record Altered(String name, Path file) {
        }
        for (Altered a : List.of(new Altered("perturbed 2%", Models.perturbed(Shared.stories(), tmp.resolve("p.bin"), 0.02, 3)),
                new Altered("re-quantized Q4_0", Models.requantizedQ4(Shared.stories(), tmp.resolve("q.bin"))))) {
            try (LlamaModel altered = LlamaModel.open(a.file())) {
                int[] r = detect(new TestNode(altered, 0, 2, fast1, root2, TestNode.Cheat.ALTERED_MODEL, TestNode.Schedule.ALWAYS, false, 9), auditor, workload(99), n);
                report.append(String.format("%-22s %d/%d detected%n", a.name(), r[0] - r[1], r[0]));
                assertThat(r[1]).as("%s undetected of %d", a.name(), r[0]).isLessThanOrEqualTo(n / 1000);
            }
        }
        // cheating on a fraction of tasks: every cheating task that is audited is caught, honest ones pass
        TestNode partial = new TestNode(model, 0, 2, fast1, root2, TestNode.Cheat.SKIP_LAYER, new TestNode.Schedule(0.1, 0), false, 17);
        int[] r = detect(partial, auditor, workload(17), n);
        report.append(String.format("%-22s %d/%d detected%n", "SKIP_LAYER p=0.1", r[0] - r[1], r[0]));
        assertThat(r[0]).isBetween(50, 160);
        assertThat(r[1]).isZero();
        System.out.print(report);
    }

    @Test
    void tenThousandAuditedHonestTasksAcrossTheControlsProduceNoFailure() {
        Auditor book = new Auditor(AuditPolicy.governed(10_000), DigestCheck.Thresholds.DEFAULT, f -> {
            throw new AssertionError("an honest node was accused: " + f);
        });
        TestNode auditorA = TestNode.honest(model, 0, 1, det1, root1);
        TestNode auditorB = TestNode.honest(model, 0, 1, fast1, root1);
        List<TestNode> controls = List.of(
                TestNode.honest(model, 0, 1, det2, root1),
                new TestNode(model, 0, 1, det2, root1, TestNode.Cheat.NONE, TestNode.Schedule.ALWAYS, true, 1),
                TestNode.honest(model, 0, 1, fast1, root1),
                new TestNode(model, 0, 1, fast2, root1, TestNode.Cheat.NONE, TestNode.Schedule.ALWAYS, true, 2));
        Workload w = workload(2024);
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            TestNode node = controls.get(i % controls.size());
            Workload.Task t = w.next();
            Reexecutor.Recomputation served = node.serve(t.id(), t.nonce(), t.history(), t.input(), t.firstPosition());
            book.record(served.commitment());
            // alternate which auditor goes first, so both kinds of auditor judge every control
            AuditOutcome o = i % 2 == 0
                    ? book.audit(new TaskRecord(served.commitment(), t.history(), t.input()), auditorA, auditorB)
                    : book.audit(new TaskRecord(served.commitment(), t.history(), t.input()), auditorB, auditorA);
            assertThat(o).as("task %d on control %d", i, i % controls.size()).isInstanceOf(AuditOutcome.Passed.class);
        }
        long passed = controls.stream().mapToLong(c -> book.record(c.id()).passed()).sum();
        assertThat(passed).isEqualTo(n);
        assertThat(controls).noneMatch(c -> book.excluded(c.id()) || book.record(c.id()).failed() > 0);
        assertThat(book.falseAccusations(auditorA.id()) + book.falseAccusations(auditorB.id())).isZero();
        System.out.printf("honest: %d audited tasks over %d controls, 0 failed, 0 false accusations, 0 slashes%n", n, controls.size());
    }
}
