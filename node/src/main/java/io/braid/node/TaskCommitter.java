package io.braid.node;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufTensorInfo;
import io.braid.model.llama2c.Llama2cCheckpoint;
import io.braid.proof.ActivationDigest;
import io.braid.proof.Commitment;
import io.braid.proof.ModelIdentity;
import io.braid.proof.ModelIdentityCache;
import io.braid.proof.TaskHashes;
import io.braid.tensor.Compute;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the node's signed {@link Commitment} for each tensor-task result (proof module): the span's model identity
 * (cached per file and span), the session's input chain on this stream, the exact input and output bytes, the
 * activation digest and the gateway's nonce.
 */
public final class TaskCommitter {

    /** The inputs a session has sent on one stream so far, as a hash chain. */
    static final class Chain {
        Hash32 context = TaskHashes.EMPTY_CONTEXT;

        void advance(byte[] inputBytes) {
            context = TaskHashes.chain(context, TaskHashes.bytes(inputBytes));
        }
    }

    private final Identity identity;
    private final ModelIdentityCache roots = new ModelIdentityCache();

    TaskCommitter(Identity identity) {
        this.identity = identity;
    }

    /** The commitment bytes for one forward; the chain is advanced by the caller after this call. */
    byte[] commit(Path modelFile, Compute.Mode mode, int from, int to, Chain chain, String sessionId, long step,
                  int start, int rows, int dim, byte[] inputBytes, float[] output, byte[] outputBytes, byte[] nonce) {
        Hash32 root = roots.spanRoot(modelFile, from, to, () -> spanRoot(modelFile, from, to));
        return Commitment.sign(identity, taskId(sessionId, step, start), root, from, to, start, rows, dim, chain.context,
                TaskHashes.bytes(inputBytes), TaskHashes.bytes(outputBytes), mode == Compute.Mode.DETERMINISTIC,
                ActivationDigest.of(output, 0, rows, dim), nonce).encode();
    }

    /** Task id the node and gateway both derive: H(session ‖ step ‖ start). */
    public static Hash32 taskId(String sessionId, long step, int start) {
        return Hashes.sha256(sessionId.getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(12).putLong(step).putInt(start).array());
    }

    /**
     * The model identity of layers [from, to) of a GGUF file ({@code blk.L.*} tensors) or a llama2.c checkpoint
     * (per-layer weights named {@code WQ.L} etc.), hashed straight from the file mapping.
     */
    public static Hash32 spanRoot(Path file, int from, int to) {
        List<ModelIdentity.NamedTensor> ts = new ArrayList<>();
        if (file.getFileName().toString().endsWith(".gguf")) {
            try (GgufFile g = GgufFile.open(file)) {
                for (GgufTensorInfo t : g.tensors()) {
                    for (int l = from; l < to; l++) {
                        if (t.name().startsWith("blk." + l + ".")) ts.add(new ModelIdentity.NamedTensor(t.name(), g.tensorData(t.name())));
                    }
                }
                return ModelIdentity.root(ts);
            }
        }
        try (Llama2cCheckpoint ck = Llama2cCheckpoint.open(file)) {
            for (Llama2cCheckpoint.Weight w : Llama2cCheckpoint.Weight.values()) {
                if (!w.perLayer()) continue;
                for (int l = from; l < to; l++) ts.add(new ModelIdentity.NamedTensor(w.name() + "." + l, ck.segment(w, l)));
            }
            return ModelIdentity.root(ts);
        }
    }
}
