package io.braid.node;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.proof.Commitment;
import io.braid.proof.DigestCheck;
import io.braid.proof.TaskHashes;
import io.braid.tensor.Compute;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TaskCommitterTest {

    @Test
    void commitmentsBindTheSpanRootTheBytesTheChainAndTheNonce() {
        Path gguf = SharedData.stories260K();
        Identity node = Identity.generate();
        TaskCommitter committer = new TaskCommitter(node);
        TaskCommitter.Chain chain = new TaskCommitter.Chain();
        Random r = new Random(1);
        float[] out = new float[3 * 64];
        for (int i = 0; i < out.length; i++) out[i] = (float) r.nextGaussian();
        byte[] in = new byte[3 * 64 * 4], outBytes = new byte[3 * 64 * 4], nonce = {1, 2, 3};
        r.nextBytes(in);
        r.nextBytes(outBytes);
        chain.advance(new byte[]{9}); // an earlier input of this session
        Hash32 ctx = chain.context;
        Commitment c = Commitment.decode(committer.commit(gguf, Compute.Mode.FAST, 1, 3, chain, "s1", 7, 4, 3, 64, in, out, outBytes, nonce));
        assertThat(c.signatureValid()).isTrue();
        assertThat(c.signer()).isEqualTo(node.publicKey());
        assertThat(c.modelRoot()).isEqualTo(TaskCommitter.spanRoot(gguf, 1, 3)).isNotEqualTo(TaskCommitter.spanRoot(gguf, 0, 2));
        assertThat(c.contextHash()).isEqualTo(ctx);
        assertThat(c.inputHash()).isEqualTo(Hashes.sha256(in));
        assertThat(c.outputHash()).isEqualTo(TaskHashes.bytes(outBytes));
        assertThat(c.taskId()).isEqualTo(TaskCommitter.taskId("s1", 7, 4));
        assertThat(c.nonce()).containsExactly(nonce);
        assertThat(c.deterministic()).isFalse();
        assertThat(DigestCheck.passes(c.digest(), out, 0, 3, 64, DigestCheck.Thresholds.DEFAULT)).isTrue();
    }
}
