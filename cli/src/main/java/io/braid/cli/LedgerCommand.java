package io.braid.cli;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import io.braid.ledger.Billing;
import io.braid.ledger.Ledger;
import io.braid.ledger.LedgerException;
import io.braid.ledger.ProofBundle;
import io.braid.ledger.TxResult;
import io.braid.ledger.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code braid ledger}: audit (verify, check-proof), export proofs, and the development faucet. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "Audit and operate the ledger.",
        subcommands = {LedgerCommand.Verify.class, LedgerCommand.CheckProof.class, LedgerCommand.Proof.class, LedgerCommand.Faucet.class})
public final class LedgerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Replays the ledger from genesis. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Replay the ledger from genesis, checking every signature, nonce, hash link, Merkle root, state hash, balance "
                    + "and the conservation invariant. Exit 0 only if all hold; otherwise name the first bad block and why.")
    public static final class Verify implements Callable<Integer> {
        @Option(names = "--data", defaultValue = "data", description = "gateway data directory (its ledger/ subdirectory is used) or a ledger directory (default: ./${DEFAULT-VALUE})")
        Path data;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            Path dir = LedgerDirs.resolve(data);
            Verifier.Report r = Verifier.verify(dir);
            double secs = r.nanos() / 1e9;
            if (r.ok()) {
                System.out.printf("ledger %s: OK%n  %s%n  genesis %s%n  tip     %s%n  verified %d transactions in %.2f s%n", dir, r.message(),
                        r.genesisHash(), r.tipHash(), r.txs(), secs);
                return 0;
            }
            System.err.println("ledger " + dir + ": FAILED at " + r.message());
            return 1;
        }
    }

    /** Verifies a proof bundle offline. */
    @Command(name = "check-proof", mixinStandardHelpOptions = true,
            description = "Verify an inclusion proof (JSON from GET /v1/ledger/proof/{txId} or `braid ledger proof`) offline: transaction "
                    + "signature, Merkle path to the block's root, and the validator's signature on the header.")
    public static final class CheckProof implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "proof bundle JSON")
        Path file;

        @Option(names = "--validator", description = "a validator key (hex) you trust; repeatable. If given, the header must be signed by one of them")
        java.util.List<String> trusted = new java.util.ArrayList<>();

        @Option(names = "--genesis", description = "the genesis hash (hex) of the chain you trust; if given, the bundle must name it")
        String genesisHash;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            ProofBundle p;
            try {
                p = ProofBundle.read(file);
            } catch (IOException e) {
                System.err.println(e.getMessage().startsWith(file.toString()) ? e.getMessage() : file + ": " + e.getMessage());
                return 2;
            }
            String why = p.verify();
            if (why == null && !trusted.isEmpty() && trusted.stream().noneMatch(k -> k.strip().equalsIgnoreCase(p.signer())))
                why = "header signed by " + p.signer() + ", which is not one of the --validator keys you trust";
            if (why == null && genesisHash != null && !genesisHash.strip().equalsIgnoreCase(p.genesisHash()))
                why = "bundle is for chain " + p.genesisHash() + ", not the --genesis you trust";
            if (why != null) {
                System.err.println(file + ": INVALID: " + why);
                return 1;
            }
            System.out.printf("%s: VALID%n  tx %s is leaf %d of %d in block %d (%s)%n  header signed by validator %s%n  chain genesis %s%n",
                    file, p.txId(), p.index(), p.txCount(), p.height(), p.blockHash(), p.signer(), p.genesisHash());
            if (trusted.isEmpty()) System.out.println("  note: pass --validator KEY (and --genesis HASH) to also require a validator you trust");
            return 0;
        }
    }

    /** Exports a proof bundle from a local ledger. */
    @Command(name = "proof", mixinStandardHelpOptions = true, description = "Write the inclusion proof of a transaction as JSON (stop the gateway first).")
    public static final class Proof implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--tx", required = true, description = "transaction id (64 hex characters)")
        String tx;

        @Option(names = "--out", description = "output file (default: stdout)")
        Path out;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() throws IOException {
            Hash32 id = Hash32.ofHex(tx);
            try (Ledger l = ledger.open()) {
                var p = l.proof(id);
                if (p.isEmpty()) {
                    System.err.println("transaction " + tx + " is not in this ledger");
                    return 1;
                }
                if (out == null) System.out.println(p.get().toJson());
                else Files.writeString(out, p.get().toJson());
                return 0;
            }
        }
    }

    /** Development faucet. */
    @Command(name = "faucet", mixinStandardHelpOptions = true,
            description = "Development faucet: mint funds to an account on a local (embedded) ledger. Stop the gateway using it first.")
    public static final class Faucet implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--account", required = true, description = "account public key (64 hex characters)")
        String account;

        @Option(names = "--amount", defaultValue = "100", description = "amount in units (e.g. 12.5) or micro-units with a u suffix (default: ${DEFAULT-VALUE})")
        String amount;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            PublicKey to = PublicKey.ofHex(account);
            long micro = LedgerDirs.parseAmount(amount);
            try (Ledger l = ledger.open(); Billing b = new Billing(l)) {
                TxResult r = b.faucet(to, micro);
                System.out.printf("minted %s to %s in tx %s at height %d; balance %s%n", LedgerDirs.format(micro), to, r.txId(), r.height(),
                        LedgerDirs.format(l.account(to).balance()));
                return 0;
            } catch (LedgerException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }
}
