package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.MerkleTree;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The identity of the weights a span runs: an RFC 6962 Merkle root over one leaf per tensor, in name order.
 * A leaf is {@code name ‖ 0x00 ‖ SHA-256(tensor bytes)}, so a node that serves a perturbed, fine-tuned or
 * re-quantized copy commits to a different root than the gateway computes from its own copy of the file, and a
 * single tensor can later be proven with an inclusion proof.
 */
public final class ModelIdentity {

    /** One weight tensor: its name in the file and its raw bytes (a view, not copied). */
    public record NamedTensor(String name, MemorySegment data) {
        public NamedTensor {
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor needs a name");
            if (data == null) throw new IllegalArgumentException("tensor " + name + " has no data");
        }
    }

    private ModelIdentity() {
    }

    /** SHA-256 of a tensor's bytes, streamed in 1 MiB pieces (no copy of the whole tensor). */
    public static Hash32 tensorHash(MemorySegment data) {
        MessageDigest md = Hashes.newSha256();
        byte[] buf = new byte[1 << 20];
        long size = data.byteSize();
        for (long off = 0; off < size; off += buf.length) {
            int n = (int) Math.min(buf.length, size - off);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, buf, 0, n);
            md.update(buf, 0, n);
        }
        return new Hash32(md.digest());
    }

    /** The leaf data for one tensor: its UTF-8 name, a zero byte, and the hash of its bytes. */
    public static byte[] leaf(String name, Hash32 tensorHash) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[n.length + 1 + 32];
        System.arraycopy(n, 0, out, 0, n.length);
        tensorHash.copyTo(out, n.length + 1);
        return out;
    }

    /** The Merkle root over {@code tensors} (sorted by name, so the order they are listed in does not matter). */
    public static Hash32 root(List<NamedTensor> tensors) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("a model identity needs at least one tensor");
        List<NamedTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(NamedTensor::name));
        List<byte[]> leaves = new ArrayList<>(sorted.size());
        String prev = null;
        for (NamedTensor t : sorted) {
            if (t.name().equals(prev)) throw new IllegalArgumentException("tensor " + prev + " is listed twice");
            prev = t.name();
            leaves.add(leaf(t.name(), tensorHash(t.data())));
        }
        return MerkleTree.ofLeafData(leaves).root();
    }
}
