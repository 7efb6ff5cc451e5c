package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.ledger.AccountView;
import io.braid.ledger.Billing;
import io.braid.ledger.Body;
import io.braid.ledger.Effect;
import io.braid.ledger.Ledger;
import io.braid.ledger.TxResult;
import io.braid.model.llama.Generation;
import io.braid.model.llama.Generator;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.LocalSpanChain;
import io.braid.model.llama.Sampler;
import io.braid.model.llama.SpanChain;
import io.braid.tensor.Compute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end in one process on a real embedded ledger: a newly registered node that skips a layer serves a user's
 * request; while on probation its tasks are shadowed on an established node whose result is used; the audit (first
 * auditor: the established node, second: the gateway's own copy) disagrees with it, the gateway builds a fraud proof
 * and submits the ledger's Slash with it; the stake is slashed (reporter share + burn), the node is no longer
 * eligible, the session continues on the established node, and the user's tokens equal a single-process run.
 */
class SlashEndToEndTest {

    @TempDir
    Path tmp;

    /** The gateway side of a one-span pipeline with commitments, probation shadowing and audits. */
    static final class AuditedChain implements SpanChain {
        final List<float[]> history = new ArrayList<>();
        final TestNode primary, established;
        final Auditor auditor;
        final TestNode gatewayCopy;
        final Ledger ledger;
        int changedAnswers, tasks, shadowed;

        AuditedChain(TestNode primary, TestNode established, TestNode gatewayCopy, Auditor auditor, Ledger ledger) {
            this.primary = primary;
            this.established = established;
            this.gatewayCopy = gatewayCopy;
            this.auditor = auditor;
            this.ledger = ledger;
        }

        @Override
        public void forward(float[] x, int batch, int firstPosition) {
            tasks++;
            float[] input = java.util.Arrays.copyOf(x, x.length);
            Hash32 taskId = Hashes.sha256(ByteBuffer.allocate(8).putLong(tasks).array());
            byte[] nonce = Hashes.sha256(taskId.bytes(), "nonce".getBytes()).bytes();
            float[] used;
            if (!auditor.excluded(primary.id()) && ledger.isEligible(primary.id())) {
                Reexecutor.Recomputation r = primary.serve(taskId, nonce, history, input, firstPosition);
                auditor.record(r.commitment());
                used = r.output();
                TaskRecord rec = new TaskRecord(r.commitment(), history, input);
                if (auditor.onProbation(primary.id())) {
                    // shadow on the established node: its result is the one the user gets
                    used = established.serve(taskId, nonce, history, input, firstPosition).output();
                    shadowed++;
                }
                Hash32 beacon = ledger.headers(0, 1).getFirst().hash(); // a block made after the commitment was recorded
                if (auditor.selected(beacon, r.commitment())) auditor.audit(rec, established, gatewayCopy);
                if (!java.util.Arrays.equals(used, r.output())) {
                    // the result the user gets is not the primary's: count only if the primary's would have changed it
                } else if (!java.util.Arrays.equals(r.output(), established.reexecute(rec).output())) {
                    changedAnswers++;
                }
            } else {
                used = established.serve(taskId, nonce, history, input, firstPosition).output();
            }
            history.add(input);
            System.arraycopy(used, 0, x, 0, used.length);
        }
    }

    @Test
    void aCheatingNewcomerIsSlashedAndExcludedAndTheUsersRequestCompletesCorrectly() throws Exception {
        Path bin = Shared.stories();
        try (Ledger ledger = Ledger.openEmbedded(tmp.resolve("ledger"));
             Billing billing = new Billing(ledger);
             LlamaModel model = LlamaModel.open(bin);
             Compute det = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            int layers = model.config().layers();
            Hash32 root = Models.spanRoot(bin, 0, layers).root();
            TestNode established = TestNode.honest(model, 0, layers, det, root);
            TestNode gatewayCopy = TestNode.honest(model, 0, layers, det, root);
            TestNode cheater = new TestNode(model, 0, layers, det, root, TestNode.Cheat.SKIP_LAYER, new TestNode.Schedule(0.5, 0), false, 3);

            long minStake = billing.prices().minStake();
            Identity owner = Identity.generate();
            assertThat(billing.faucet(owner.publicKey(), 2 * minStake).ok()).isTrue();
            assertThat(billing.registerNode(owner, cheater.identity(), 2 * minStake).ok()).isTrue();
            assertThat(billing.isEligible(cheater.id())).isTrue();

            List<TxResult> slashes = new ArrayList<>();
            Identity reporter = ledger.operator();
            Auditor auditor = new Auditor(AuditPolicy.governed(ledger.params().auditRatePpm()), DigestCheck.Thresholds.DEFAULT,
                    fraud -> slashes.add(billing.slash(fraud.node(), reporter.publicKey(), fraud.proof().encode())));

            int[] prompt = {1, 403, 407, 261, 378};
            int steps = 40;
            Generator gen = new Generator(model.embedding(), model.head(), det, 1, -1);
            Generation reference = gen.generate(LocalSpanChain.of(model, det, steps), prompt, steps, new Sampler(0, 1, 0, 1), (p, t, f) -> true);
            AuditedChain chain = new AuditedChain(cheater, established, gatewayCopy, auditor, ledger);
            long stakeBefore = ledger.account(owner.publicKey()).stake();
            long reporterBefore = ledger.account(reporter.publicKey()).balance();
            Generation got = gen.generate(chain, prompt, steps, new Sampler(0, 1, 0, 1), (p, t, f) -> true);

            assertThat(got.tokens()).as("the user's tokens").containsExactly(reference.tokens());
            assertThat(cheater.cheated).isPositive();
            assertThat(slashes).hasSize(1);
            TxResult slash = slashes.getFirst();
            assertThat(slash.ok()).as(slash.reason()).isTrue();
            Effect.Slashed s = slash.effects().stream().filter(e -> e instanceof Effect.Slashed).map(e -> (Effect.Slashed) e).findFirst().orElseThrow();
            assertThat(s.node()).isEqualTo(cheater.id());
            assertThat(s.amount()).isEqualTo(stakeBefore * ledger.params().slashFractionPpm() / 1_000_000);
            assertThat(s.toReporter() + s.burned()).isEqualTo(s.amount());
            AccountView after = ledger.account(owner.publicKey());
            assertThat(after.stake()).isEqualTo(stakeBefore - s.amount());
            assertThat(ledger.account(reporter.publicKey()).balance()).isEqualTo(reporterBefore + s.toReporter());
            assertThat(billing.isEligible(cheater.id())).isFalse();
            assertThat(auditor.excluded(cheater.id())).isTrue();
            // the evidence on the ledger re-checks offline
            Body.Slash onLedger = (Body.Slash) ledger.tx(slash.txId()).orElseThrow().tx().body();
            FraudProof proof = FraudProof.decode(onLedger.evidence());
            assertThat(proof.problem(DigestCheck.Thresholds.DEFAULT)).isEmpty();
            assertThat(proof.accused().signer()).isEqualTo(cheater.id());
            // probation: every task of the newcomer was shadowed, so it changed no answer before its exclusion
            assertThat(chain.changedAnswers).isZero();
            assertThat(chain.shadowed).isPositive();
            System.out.printf("e2e: %d tasks, cheater cheated on %d, shadowed %d, slashed %d (reporter %d, burned %d), answers changed %d%n",
                    chain.tasks, cheater.cheated, chain.shadowed, s.amount(), s.toReporter(), s.burned(), chain.changedAnswers);
        }
    }
}
