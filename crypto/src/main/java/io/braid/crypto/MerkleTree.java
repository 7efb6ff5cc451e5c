package io.braid.crypto;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6962 Merkle tree over an ordered list of leaves.
 *
 * <p>Leaf hash = SHA-256(0x00 || data); interior node = SHA-256(0x01 || left || right); for n leaves the
 * left subtree holds the largest power of two strictly less than n (RFC 6962 section 2.1). The root of the
 * empty tree is SHA-256 of the empty string. Inclusion proofs ("audit paths") follow section 2.1.1 and
 * are verified with the algorithm of RFC 9162 section 2.1.3.2.
 */
public final class MerkleTree {
    private final List<Hash32> leaves;
    private final Hash32 root;

    private MerkleTree(List<Hash32> leafHashes) {
        this.leaves = List.copyOf(leafHashes);
        this.root = leaves.isEmpty() ? Hashes.sha256() : subtreeRoot(0, leaves.size());
    }

    /** A tree over already-hashed leaves ({@link #leafHash} of each leaf's data). */
    public static MerkleTree ofLeafHashes(List<Hash32> leafHashes) {
        return new MerkleTree(leafHashes);
    }

    /** A tree over raw leaf data (each is hashed with {@link #leafHash}). */
    public static MerkleTree ofLeafData(List<byte[]> data) {
        List<Hash32> hs = new ArrayList<>(data.size());
        for (byte[] d : data) hs.add(leafHash(d));
        return new MerkleTree(hs);
    }

    /** SHA-256(0x00 || data). */
    public static Hash32 leafHash(byte[] data) {
        MessageDigest md = Hashes.newSha256();
        md.update((byte) 0x00);
        md.update(data);
        return new Hash32(md.digest());
    }

    /** SHA-256(0x01 || left || right). */
    public static Hash32 nodeHash(Hash32 left, Hash32 right) {
        MessageDigest md = Hashes.newSha256();
        md.update((byte) 0x01);
        md.update(left.bytes());
        md.update(right.bytes());
        return new Hash32(md.digest());
    }

    /** The root of the tree over these leaf hashes, without keeping the tree. */
    public static Hash32 rootOf(List<Hash32> leafHashes) {
        return new MerkleTree(leafHashes).root();
    }

    public Hash32 root() {
        return root;
    }

    public int size() {
        return leaves.size();
    }

    public Hash32 leaf(int index) {
        return leaves.get(index);
    }

    /** The audit path of leaf {@code index}: sibling hashes from the leaf upward. */
    public InclusionProof inclusionProof(int index) {
        if (index < 0 || index >= leaves.size())
            throw new IndexOutOfBoundsException("leaf index " + index + " outside tree of size " + leaves.size());
        List<Hash32> path = new ArrayList<>();
        collectPath(index, 0, leaves.size(), path);
        return new InclusionProof(index, leaves.size(), path);
    }

    /** PATH(m, D[lo:hi]) of RFC 6962, appended bottom-up. */
    private void collectPath(int m, int lo, int hi, List<Hash32> out) {
        int n = hi - lo;
        if (n <= 1) return;
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            collectPath(m, lo, lo + k, out);
            out.add(subtreeRoot(lo + k, hi));
        } else {
            collectPath(m - k, lo + k, hi, out);
            out.add(subtreeRoot(lo, lo + k));
        }
    }

    private Hash32 subtreeRoot(int lo, int hi) {
        int n = hi - lo;
        if (n == 1) return leaves.get(lo);
        int k = largestPowerOfTwoBelow(n);
        return nodeHash(subtreeRoot(lo, lo + k), subtreeRoot(lo + k, hi));
    }

    /** The largest power of two strictly less than n (n >= 2). */
    static int largestPowerOfTwoBelow(int n) {
        return Integer.highestOneBit(n - 1);
    }

    /**
     * True if {@code path} proves that {@code leafHash} is leaf {@code index} of a tree of {@code size}
     * leaves with root {@code root} (RFC 9162 section 2.1.3.2).
     */
    public static boolean verifyInclusion(Hash32 leafHash, long index, long size, List<Hash32> path, Hash32 root) {
        if (index < 0 || size <= 0 || index >= size || leafHash == null || path == null || root == null) return false;
        long fn = index;
        long sn = size - 1;
        Hash32 r = leafHash;
        for (Hash32 p : path) {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.equals(root);
    }

    /** An audit path for leaf {@code index} of a tree of {@code size} leaves. */
    public record InclusionProof(long index, long size, List<Hash32> path) {
        public InclusionProof {
            path = List.copyOf(path);
        }

        /** Verifies this proof for {@code leafHash} against {@code root}. */
        public boolean verify(Hash32 leafHash, Hash32 root) {
            return verifyInclusion(leafHash, index, size, path, root);
        }
    }
}
