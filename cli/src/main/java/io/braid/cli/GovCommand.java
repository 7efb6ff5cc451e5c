package io.braid.cli;

import io.braid.crypto.Hash32;
import io.braid.crypto.Identity;
import io.braid.ledger.Body;
import io.braid.ledger.Ledger;
import io.braid.ledger.Params;
import io.braid.ledger.StateMachine;
import io.braid.ledger.Transaction;
import io.braid.ledger.TxResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code braid gov}: stake-weighted governance of the ledger parameters. */
@Command(name = "gov", mixinStandardHelpOptions = true, description = "Governance: propose parameter changes, vote, list proposals (local ledger).",
        subcommands = {GovCommand.Propose.class, GovCommand.Vote.class, GovCommand.ListProposals.class})
public final class GovCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static int submit(Ledger l, Identity key, Body body) {
        TxResult r = l.submitAndWait(Transaction.sign(key, l.nextNonce(key.publicKey()), new byte[0], body));
        if (!r.ok()) {
            System.err.println("rejected: " + r.reason());
            return 1;
        }
        System.out.println("tx " + r.txId() + " applied at height " + r.height());
        return 0;
    }

    @Command(name = "propose", mixinStandardHelpOptions = true,
            description = "Propose parameter changes (signer must have stake). Parameters: costPerTflop, marginPpm, burnSharePpm, minStake, "
                    + "unbondingBlocks, slashFractionPpm, reporterSharePpm, auditRatePpm, blockIntervalMillis, votingPeriodBlocks, quorumPpm, thresholdPpm.")
    public static final class Propose implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--key", required = true, description = "signer's key file (a staked account)")
        Path key;

        @Option(names = "--set", required = true, paramLabel = "NAME=VALUE", description = "a parameter change (integers); repeatable")
        List<String> sets = new ArrayList<>();

        @Option(names = "--effective-height", description = "height at which an accepted change applies (default: end of voting + 1)")
        Long effectiveHeight;

        @Option(names = "--description", defaultValue = "", description = "what and why")
        String description;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() throws IOException {
            List<Body.ParamChange> changes = new ArrayList<>();
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--set expects NAME=VALUE, got '" + s + "'");
                String name = s.substring(0, eq).strip();
                long value;
                try {
                    value = Long.parseLong(s.substring(eq + 1).strip());
                } catch (NumberFormatException e) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--set " + name + ": value must be an integer, got '" + s.substring(eq + 1) + "'");
                }
                Params.validate(name, value);
                changes.add(new Body.ParamChange(name, value));
            }
            Identity id = Identity.load(key);
            try (Ledger l = ledger.open()) {
                long eff = effectiveHeight != null ? effectiveHeight : l.height() + 1 + l.params().votingPeriodBlocks() + 1;
                return submit(l, id, new Body.GovProposal(changes, eff, description));
            }
        }
    }

    @Command(name = "vote", mixinStandardHelpOptions = true, description = "Vote on a proposal; the signer's stake at the end of voting counts.")
    public static final class Vote implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--key", required = true, description = "signer's key file (a staked account)")
        Path key;

        @Option(names = "--proposal", required = true, description = "proposal id (the proposing transaction's id)")
        String proposal;

        @Option(names = "--no", description = "vote no (default: yes)")
        boolean no;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() throws IOException {
            Identity id = Identity.load(key);
            try (Ledger l = ledger.open()) {
                return submit(l, id, new Body.Vote(Hash32.ofHex(proposal), !no));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List proposals with status and current stake-weighted tallies.")
    public static final class ListProposals implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            try (Ledger l = ledger.open()) {
                System.out.println("height " + l.height() + "; parameters " + l.params().asMap());
                List<StateMachine.ProposalView> ps = l.proposals();
                if (ps.isEmpty()) System.out.println("no proposals");
                for (StateMachine.ProposalView p : ps)
                    System.out.printf("%s %-8s changes %s voting ends %d effective %d yes %d no %d%n", p.id(), p.status(), p.changes(),
                            p.endHeight(), p.effectiveHeight(), p.yesStake(), p.noStake());
                return 0;
            }
        }
    }
}
