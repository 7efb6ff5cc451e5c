package io.braid.cli;

import io.braid.crypto.PublicKey;
import io.braid.ledger.AccountView;
import io.braid.ledger.Billing;
import io.braid.ledger.Ledger;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code braid account}: development accounts and API keys on a local ledger. */
@Command(name = "account", mixinStandardHelpOptions = true, description = "Create accounts and API keys (local ledger; stop the gateway first).",
        subcommands = {AccountCommand.Create.class, AccountCommand.Key.class, AccountCommand.Show.class, AccountCommand.StakeCmd.class})
public final class AccountCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an account (key saved under DATA/ledger/accounts, mode 600) authorising the gateway to bill it, and print its API key.")
    public static final class Create implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--fund", description = "also mint this amount to it from the dev faucet (units, or micro-units with a u suffix)")
        String fund;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            try (Ledger l = ledger.open(); Billing b = new Billing(l)) {
                Billing.NewAccount a = b.createAccount();
                if (fund != null) b.faucet(a.account(), LedgerDirs.parseAmount(fund));
                System.out.println("account " + a.account());
                System.out.println("api key " + a.apiKey());
                System.out.println("balance " + LedgerDirs.format(l.account(a.account()).balance()));
                return 0;
            }
        }
    }

    @Command(name = "key", mixinStandardHelpOptions = true, description = "Create another API key for an existing account.")
    public static final class Key implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--account", required = true, description = "account public key (64 hex characters)")
        String account;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            try (Ledger l = ledger.open(); Billing b = new Billing(l)) {
                System.out.println("api key " + b.createApiKey(PublicKey.ofHex(account)));
                return 0;
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show an account's balance, stake, escrow and unbonding.")
    public static final class Show implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--account", required = true, description = "account public key (64 hex characters)")
        String account;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() {
            try (Ledger l = ledger.open()) {
                AccountView v = l.account(PublicKey.ofHex(account));
                System.out.printf("account %s%n  balance %s%n  stake   %s%n  escrow  %s%n  nonce   %d%n", v.account(), LedgerDirs.format(v.balance()),
                        LedgerDirs.format(v.stake()), LedgerDirs.format(v.escrow()), v.lastNonce());
                for (AccountView.Unbonding u : v.unbonding()) System.out.printf("  unbonding %s until height %d%n", LedgerDirs.format(u.amount()), u.releaseHeight());
                return 0;
            }
        }
    }

    @Command(name = "stake", mixinStandardHelpOptions = true,
            description = "Stake (or with --unstake start unbonding, or with --withdraw collect matured unbonding) from the account of a key file.")
    public static final class StakeCmd implements Callable<Integer> {
        @Mixin
        LedgerOptions ledger = new LedgerOptions();

        @Option(names = "--key", required = true, description = "the account's key file (e.g. DATA/ledger/accounts/<account>.key)")
        Path key;

        @Option(names = "--amount", description = "amount in units, or micro-units with a u suffix")
        String amount;

        @Option(names = "--unstake", description = "unstake --amount (withdrawable after the unbonding period)")
        boolean unstake;

        @Option(names = "--withdraw", description = "move matured unbonding back to the balance")
        boolean withdraw;

        @Override
        public Integer call() {
            return LedgerDirs.guard(this::execute);
        }

        private Integer execute() throws Exception {
            io.braid.crypto.Identity id = io.braid.crypto.Identity.load(key);
            io.braid.ledger.Body body;
            if (withdraw) body = new io.braid.ledger.Body.CompleteUnbonding();
            else {
                if (amount == null) throw new IllegalArgumentException("--amount is required to stake or unstake");
                long micro = LedgerDirs.parseAmount(amount);
                body = unstake ? new io.braid.ledger.Body.Unstake(micro) : new io.braid.ledger.Body.Stake(micro);
            }
            try (Ledger l = ledger.open()) {
                return GovCommand.submit(l, id, body);
            }
        }
    }
}
