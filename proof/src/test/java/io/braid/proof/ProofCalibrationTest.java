package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.model.llama.LlamaModel;
import io.braid.tensor.Compute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calibrates the tolerant comparator: measures digest distances of honest nodes with different arithmetic and of
 * cheaters against a deterministic auditor, on stories260K (real weights) and a synthetic Q8_0 model, and checks the
 * default thresholds sit between them with a wide margin (score = worst ratio of a statistic to its limit:
 * honest ≤ 0.25, every cheater ≥ 4).
 */
class ProofCalibrationTest {

    @TempDir
    static Path tmp;
    static Compute det1, det2, fast1, fast2;

    @BeforeAll
    static void computes() {
        det1 = new Compute(1, Compute.Mode.DETERMINISTIC);
        det2 = new Compute(2, Compute.Mode.DETERMINISTIC);
        fast1 = new Compute(1, Compute.Mode.FAST);
        fast2 = new Compute(2, Compute.Mode.FAST);
    }

    @AfterAll
    static void close() {
        for (Compute c : List.of(det1, det2, fast1, fast2)) c.close();
    }

    static double score(DigestCheck.Distance d, DigestCheck.Thresholds t) {
        return Math.max(d.maxRelError() / t.maxRelError(), Math.max(d.meanRelError() / t.meanRelError(), d.missFraction() / t.maxMissFraction()));
    }

    /** Worst (honest) or best (cheater) score of {@code node} over {@code n} tasks against the auditor. */
    static double[] scores(TestNode node, TestNode auditor, Workload w, int n, boolean exactToo) {
        DigestCheck.Thresholds t = DigestCheck.Thresholds.DEFAULT;
        double min = Double.POSITIVE_INFINITY, max = 0, maxRel = 0, meanRel = 0;
        for (int i = 0; i < n; i++) {
            Workload.Task task = w.next();
            Reexecutor.Recomputation served = node.serve(task.id(), task.nonce(), task.history(), task.input(), task.firstPosition());
            Reexecutor.Recomputation audit = auditor.reexecute(new TaskRecord(served.commitment(), task.history(), task.input()));
            Commitment c = served.commitment();
            DigestCheck.Distance d = DigestCheck.distance(c.digest(), audit.output(), 0, c.rows(), c.width(), t.indexSlack());
            double s = score(d, t);
            min = Math.min(min, s);
            max = Math.max(max, s);
            maxRel = Math.max(maxRel, d.maxRelError());
            meanRel = Math.max(meanRel, d.meanRelError());
            if (exactToo) assertThat(c.outputHash()).as("deterministic nodes match bit for bit").isEqualTo(audit.commitment().outputHash());
        }
        return new double[]{min, max, maxRel, meanRel};
    }

    record Row(String what, double[] s) {
    }

    void calibrate(Path honestFile, Map<String, Path> alteredFiles, int from, int to, int n) throws Exception {
        long t0 = System.nanoTime();
        try (LlamaModel model = LlamaModel.open(honestFile)) {
            Hash32 root = Models.spanRoot(honestFile, from, to).root();
            var cfg = model.config();
            TestNode auditor = TestNode.honest(model, from, to, det1, root);
            List<Row> honest = new ArrayList<>(), cheat = new ArrayList<>();
            honest.add(new Row("DET 2 threads", scores(TestNode.honest(model, from, to, det2, root), auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 11), n, true)));
            honest.add(new Row("DET batched", scores(new TestNode(model, from, to, det2, root, TestNode.Cheat.NONE, TestNode.Schedule.ALWAYS, true, 3), auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 12), n, true)));
            honest.add(new Row("FAST 1 thread", scores(TestNode.honest(model, from, to, fast1, root), auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 13), n, false)));
            honest.add(new Row("FAST 2 threads batched", scores(new TestNode(model, from, to, fast2, root, TestNode.Cheat.NONE, TestNode.Schedule.ALWAYS, true, 4), auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 14), n, false)));
            for (TestNode.Cheat ch : List.of(TestNode.Cheat.RANDOM, TestNode.Cheat.ZERO, TestNode.Cheat.SKIP_LAYER, TestNode.Cheat.REPLAY)) {
                TestNode bad = new TestNode(model, from, to, fast2, root, ch, TestNode.Schedule.ALWAYS, false, 5);
                cheat.add(new Row(ch.name(), scores(bad, auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 15), n, false)));
            }
            for (var e : alteredFiles.entrySet()) {
                try (LlamaModel altered = LlamaModel.open(e.getValue())) {
                    TestNode bad = new TestNode(altered, from, to, fast2, root, TestNode.Cheat.ALTERED_MODEL, TestNode.Schedule.ALWAYS, false, 6);
                    cheat.add(new Row(e.getKey(), scores(bad, auditor, new Workload(model.embedding(), cfg.vocabSize(), cfg.dim(), 16), n, false)));
                }
            }
            System.out.printf("calibration %s span [%d,%d) %d tasks each, %.1f s (score = worst statistic / limit; fail > 1)%n",
                    honestFile.getFileName(), from, to, n, (System.nanoTime() - t0) / 1e9);
            for (Row r : honest) System.out.printf("  honest  %-24s worst score %.4f  max rel %.2e  mean rel %.2e%n", r.what(), r.s()[1], r.s()[2], r.s()[3]);
            for (Row r : cheat) System.out.printf("  cheater %-24s best  score %.4g%n", r.what(), r.s()[0]);
            for (Row r : honest) assertThat(r.s()[1]).as("honest %s worst score", r.what()).isLessThanOrEqualTo(0.25);
            for (Row r : cheat) assertThat(r.s()[0]).as("cheater %s best score", r.what()).isGreaterThanOrEqualTo(4.0);
        }
    }

    @Test
    void stories260kHonestNodesAreFarBelowAndCheatersFarAboveTheThresholds() throws Exception {
        Path bin = Shared.stories();
        Map<String, Path> altered = new LinkedHashMap<>();
        altered.put("perturbed 1%", Models.perturbed(bin, tmp.resolve("p1.bin"), 0.01, 7));
        altered.put("re-quantized Q4_0", Models.requantizedQ4(bin, tmp.resolve("q4.bin")));
        calibrate(bin, altered, 0, 5, 60);
        calibrate(bin, altered, 2, 5, 40);
    }

    @Test
    void syntheticQ8ModelHonestNodesAreFarBelowAndCheatersFarAboveTheThresholds() throws Exception {
        Path honest = Models.synthetic(tmp, 1);
        Path other = Models.synthetic(tmp, 2);
        calibrate(honest, Map.of("different weights", other), 0, 4, 20);
    }
}
