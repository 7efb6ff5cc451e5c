package io.braid.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    /** The eight leaves of the Certificate Transparency reference test (merkle_tree_test). */
    private static final List<byte[]> CT_LEAVES = List.of(
            Hex.decode(""), Hex.decode("00"), Hex.decode("10"), Hex.decode("2021"), Hex.decode("3031"),
            Hex.decode("40414243"), Hex.decode("5051525354555657"), Hex.decode("606162636465666768696a6b6c6d6e6f"));

    private static Hash32 h(byte prefix, byte[]... parts) {
        byte[][] all = new byte[parts.length + 1][];
        all[0] = new byte[] {prefix};
        System.arraycopy(parts, 0, all, 1, parts.length);
        return Hashes.sha256(all);
    }

    private static Hash32 leaf(int i) {
        return h((byte) 0, CT_LEAVES.get(i));
    }

    private static Hash32 node(Hash32 l, Hash32 r) {
        return h((byte) 1, l.bytes(), r.bytes());
    }

    @Test
    void emptyTreeRootIsHashOfEmptyString() {
        assertThat(MerkleTree.ofLeafData(List.of()).root().hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void rootsMatchTreesComputedByHandWithTheSplitRule() {
        // n=3: k=2 -> (l0 l1) l2 ; n=5: k=4 -> ((l0 l1)(l2 l3)) l4 ; n=7: k=4 -> (...)( (l4 l5) l6 )
        Hash32 n01 = node(leaf(0), leaf(1));
        Hash32 n23 = node(leaf(2), leaf(3));
        Hash32 n45 = node(leaf(4), leaf(5));
        Hash32 n67 = node(leaf(6), leaf(7));
        Hash32 n0123 = node(n01, n23);
        assertThat(root(1)).isEqualTo(leaf(0));
        assertThat(root(2)).isEqualTo(n01);
        assertThat(root(3)).isEqualTo(node(n01, leaf(2)));
        assertThat(root(4)).isEqualTo(n0123);
        assertThat(root(5)).isEqualTo(node(n0123, leaf(4)));
        assertThat(root(6)).isEqualTo(node(n0123, n45));
        assertThat(root(7)).isEqualTo(node(n0123, node(n45, leaf(6))));
        assertThat(root(8)).isEqualTo(node(n0123, node(n45, n67)));
    }

    @Test
    void rootsMatchCertificateTransparencyReferenceValues() {
        String[] expected = {
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
        for (int n = 1; n <= 8; n++) assertThat(root(n).hex()).as("root of %d leaves", n).isEqualTo(expected[n - 1]);
    }

    @Test
    void auditPathsMatchRfcDefinitionByHand() {
        MerkleTree t = MerkleTree.ofLeafData(CT_LEAVES.subList(0, 7));
        Hash32 n01 = node(leaf(0), leaf(1));
        Hash32 n23 = node(leaf(2), leaf(3));
        Hash32 n45 = node(leaf(4), leaf(5));
        // PATH(0, D[7]) = [l1, n23, MTH(D[4:7])]
        assertThat(t.inclusionProof(0).path()).containsExactly(leaf(1), n23, node(n45, leaf(6)));
        // PATH(6, D[7]) = [n45, MTH(D[0:4])]: leaf 6 is the lone right child
        assertThat(t.inclusionProof(6).path()).containsExactly(n45, node(n01, n23));
        // PATH(4, D[7]) = [l5, l6, MTH(D[0:4])]
        assertThat(t.inclusionProof(4).path()).containsExactly(leaf(5), leaf(6), node(n01, n23));
    }

    @Test
    void everyProofVerifiesAndTamperedOnesFail() {
        for (int n = 1; n <= 33; n++) {
            List<byte[]> data = new ArrayList<>();
            for (int i = 0; i < n; i++) data.add(new byte[] {(byte) i, (byte) (i * 7)});
            MerkleTree t = MerkleTree.ofLeafData(data);
            for (int i = 0; i < n; i++) {
                MerkleTree.InclusionProof p = t.inclusionProof(i);
                Hash32 lh = MerkleTree.leafHash(data.get(i));
                assertThat(p.verify(lh, t.root())).as("n=%d i=%d", n, i).isTrue();
                // wrong leaf, wrong index, wrong size, wrong root, truncated path: all rejected
                assertThat(p.verify(MerkleTree.leafHash(new byte[] {9, 9, 9}), t.root())).isFalse();
                if (n > 1) {
                    assertThat(MerkleTree.verifyInclusion(lh, (i + 1) % n, n, p.path(), t.root())).isFalse();
                    assertThat(MerkleTree.verifyInclusion(lh, i, n, p.path().subList(0, p.path().size() - 1), t.root())).isFalse();
                    List<Hash32> flipped = new ArrayList<>(p.path());
                    byte[] b = flipped.get(0).bytes();
                    b[0] ^= 1;
                    flipped.set(0, new Hash32(b));
                    assertThat(MerkleTree.verifyInclusion(lh, i, n, flipped, t.root())).isFalse();
                }
                assertThat(MerkleTree.verifyInclusion(lh, n, n, p.path(), t.root())).isFalse();
            }
        }
    }

    @Test
    void leafAndNodeHashesAreDomainSeparated() {
        // A 64-byte leaf equal to two child hashes must not hash like the interior node above them.
        Hash32 a = leaf(0);
        Hash32 b = leaf(1);
        byte[] concat = new byte[64];
        a.copyTo(concat, 0);
        b.copyTo(concat, 32);
        assertThat(MerkleTree.leafHash(concat)).isNotEqualTo(MerkleTree.nodeHash(a, b));
    }

    @Test
    void proofForMissingLeafIsAClearError() {
        MerkleTree t = MerkleTree.ofLeafData(CT_LEAVES);
        assertThatThrownBy(() -> t.inclusionProof(8)).hasMessageContaining("leaf index 8 outside tree of size 8");
    }

    private static Hash32 root(int n) {
        return MerkleTree.ofLeafData(CT_LEAVES.subList(0, n)).root();
    }
}
