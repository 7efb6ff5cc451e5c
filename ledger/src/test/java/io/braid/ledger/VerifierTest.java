package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hex;
import io.braid.crypto.Identity;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds a 5-block chain on disk, then tampers with it in the ways an attacker or a bad disk would. */
class VerifierTest {
    @TempDir
    Path dir;
    private Chain chain;
    private final List<Block> blocks = new ArrayList<>();
    private final Identity alice = Identity.fromSeed(Chain.seed(20));
    private final Identity bob = Identity.fromSeed(Chain.seed(21));

    @BeforeEach
    void build() throws IOException {
        chain = new Chain();
        Files.write(dir.resolve("genesis.bin"), chain.genesis.encode());
        blocks.add(chain.apply(chain.tx(chain.minter, new Body.Mint(alice.publicKey(), 10_000))).block());
        blocks.add(chain.apply(chain.tx(chain.minter, new Body.Mint(bob.publicKey(), 500))).block());
        blocks.add(chain.apply(chain.tx(alice, new Body.Transfer(bob.publicKey(), 100)), chain.tx(bob, new Body.Transfer(alice.publicKey(), 7)),
                chain.tx(alice, new Body.Burn(3))).block());
        blocks.add(chain.apply(chain.tx(alice, new Body.Stake(1_000))).block());
        blocks.add(chain.apply(chain.tx(bob, new Body.Transfer(alice.publicKey(), 50))).block());
        writeBlocks(blocks.stream().map(Block::encode).toList());
    }

    private void writeBlocks(List<byte[]> records) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bos);
        for (byte[] r : records) {
            out.writeInt(r.length);
            out.write(r);
        }
        Files.write(dir.resolve("blocks.dat"), bos.toByteArray());
    }

    @Test
    void intactChainVerifies() {
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.ok()).as(r.message()).isTrue();
        assertThat(r.blocks()).isEqualTo(5);
        assertThat(r.txs()).isEqualTo(7);
        assertThat(r.tipHash()).isEqualTo(chain.sm.lastBlockHash());
    }

    @Test
    void flippedByteIsCaught() throws IOException {
        byte[] file = Files.readAllBytes(dir.resolve("blocks.dat"));
        int offset = 0;
        for (int i = 0; i < 2; i++) offset += 4 + blocks.get(i).encode().length;
        // inside block 3's first transaction: its transfer amount
        byte[] b3 = blocks.get(2).encode();
        byte[] tx0 = blocks.get(2).txs().getFirst().encode();
        int at = offset + 4 + indexOf(b3, tx0) + tx0.length - 64 - 4 - 1;
        file[at] ^= 0x01;
        Files.write(dir.resolve("blocks.dat"), file);
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.ok()).isFalse();
        assertThat(r.badBlock()).isEqualTo(3);
        assertThat(r.message()).startsWith("block 3: Merkle root mismatch");
    }

    @Test
    void droppedBlockIsCaught() throws IOException {
        List<byte[]> recs = new ArrayList<>(blocks.stream().map(Block::encode).toList());
        recs.remove(1);
        writeBlocks(recs);
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.ok()).isFalse();
        assertThat(r.message()).isEqualTo("block 2: height 3 where 2 was expected (a block is missing or out of order)");
    }

    @Test
    void reorderedTransactionsAreCaught() throws IOException {
        Block b = blocks.get(2);
        List<Transaction> txs = new ArrayList<>(b.txs());
        txs.add(txs.removeFirst());
        List<byte[]> recs = new ArrayList<>(blocks.stream().map(Block::encode).toList());
        recs.set(2, new Block(b.header(), txs, b.signer(), b.signature()).encode());
        writeBlocks(recs);
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.message()).startsWith("block 3: Merkle root mismatch").contains("reordered");
    }

    @Test
    void forgedTransactionSignatureIsCaughtEvenInAValidatorSignedBlock() throws IOException {
        // A dishonest validator rewrites block 5 so bob's transfer carries a forged signature, recomputing the
        // Merkle root and re-signing the header: the replay still rejects the transaction.
        Block b = blocks.get(4);
        Transaction t = b.txs().getFirst();
        Transaction forged = new Transaction(t.signer(), t.nonce(), t.idempotencyKey(), t.body(), alice.sign(t.signingBytes()));
        BlockHeader h = b.header();
        BlockHeader h2 = new BlockHeader(h.height(), h.prevHash(), h.timeMillis(), Block.txRoot(List.of(forged)), 1, h.stateHash());
        Block evil = new Block(h2, List.of(forged), chain.validator.publicKey(), chain.validator.sign(h2.encode()));
        List<byte[]> recs = new ArrayList<>(blocks.stream().map(Block::encode).toList());
        recs.set(4, evil.encode());
        writeBlocks(recs);
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.message()).isEqualTo("block 5: transaction 0 (" + t.id() + ", Transfer) is invalid: bad signature: not signed by " + bob.publicKey());
    }

    @Test
    void blockSignedByAStrangerIsCaught() throws IOException {
        Identity stranger = Identity.generate();
        Block b = blocks.get(3);
        List<byte[]> recs = new ArrayList<>(blocks.stream().map(Block::encode).toList());
        recs.set(3, new Block(b.header(), b.txs(), stranger.publicKey(), stranger.sign(b.header().encode())).encode());
        writeBlocks(recs);
        assertThat(Verifier.verify(dir).message()).isEqualTo("block 4: signed by " + stranger.publicKey() + ", which is not a genesis validator");
    }

    @Test
    void wrongStateHashIsCaught() throws IOException {
        Block b = blocks.get(3);
        BlockHeader h = b.header();
        BlockHeader h2 = new BlockHeader(h.height(), h.prevHash(), h.timeMillis(), h.txRoot(), h.txCount(), Hash32.ZERO);
        List<byte[]> recs = new ArrayList<>(blocks.stream().map(Block::encode).toList());
        recs.set(3, new Block(h2, b.txs(), chain.validator.publicKey(), chain.validator.sign(h2.encode())).encode());
        writeBlocks(recs);
        assertThat(Verifier.verify(dir).message()).startsWith("block 4: state hash mismatch");
    }

    @Test
    void incompleteLastRecordIsReportedButNotPartOfTheChain() throws IOException {
        byte[] file = Files.readAllBytes(dir.resolve("blocks.dat"));
        byte[] torn = java.util.Arrays.copyOf(file, file.length - 10);
        Files.write(dir.resolve("blocks.dat"), torn);
        Verifier.Report r = Verifier.verify(dir);
        assertThat(r.ok()).as(r.message()).isTrue();
        assertThat(r.blocks()).isEqualTo(4);
        assertThat(r.message()).contains("ignored an incomplete record after block 4");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Files.delete(dir.resolve("blocks.dat"));
        assertThat(Verifier.verify(dir).message()).contains("blocks.dat: no block file");
        Files.delete(dir.resolve("genesis.bin"));
        assertThat(Verifier.verify(dir).message()).contains("genesis.bin: missing");
    }

    @Test
    void proofBundleVerifiesOfflineAndDetectsTampering() {
        ProofBundle p = ProofBundle.of(blocks.get(2), 1, chain.genesis.hash());
        assertThat(p.verify()).isNull();
        ProofBundle back = ProofBundle.fromJson(p.toJson());
        assertThat(back.verify()).isNull();
        ProofBundle wrongIndex = new ProofBundle(p.tx(), p.txId(), p.height(), 0, p.txCount(), p.path(), p.header(), p.blockHash(), p.signer(), p.signature(), p.genesisHash());
        assertThat(wrongIndex.verify()).isEqualTo("Merkle path does not lead from the transaction to the header's txRoot");
        byte[] hdr = Hex.decode(p.header());
        hdr[hdr.length - 1] ^= 1;
        BlockHeader tampered = BlockHeader.decode(hdr);
        ProofBundle badHeader = new ProofBundle(p.tx(), p.txId(), p.height(), p.index(), p.txCount(), p.path(), Hex.encode(hdr),
                tampered.hash().hex(), p.signer(), p.signature(), p.genesisHash());
        assertThat(badHeader.verify()).startsWith("block header signature invalid");
        ProofBundle otherTx = ProofBundle.of(blocks.get(2), 2, chain.genesis.hash());
        ProofBundle swapped = new ProofBundle(otherTx.tx(), otherTx.txId(), p.height(), p.index(), p.txCount(), p.path(), p.header(), p.blockHash(), p.signer(), p.signature(), p.genesisHash());
        assertThat(swapped.verify()).isEqualTo("Merkle path does not lead from the transaction to the header's txRoot");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProofBundle.fromJson("{nope")).hasMessageStartingWith("not a proof bundle");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
