package io.braid.cli;

import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import io.braid.ledger.Genesis;
import io.braid.ledger.Ledger;
import io.braid.ledger.Params;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code braid validator}: run one member of a replicated (3- or 5-member) ledger group, with the same state machine
 * as the embedded ledger. {@code braid validator genesis} writes the shared genesis file.
 */
@Command(name = "validator", mixinStandardHelpOptions = true,
        description = "Run a member of a replicated validator group (Raft via Apache Ratis).",
        subcommands = {ValidatorCommand.MakeGenesis.class})
public final class ValidatorCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "this validator's ledger directory (validator.key is created here)")
    Path data;

    @Option(names = "--genesis", required = true, description = "genesis file shared by the group (from `braid validator genesis`)")
    Path genesis;

    @Option(names = "--id", required = true, description = "this member's id in --peers")
    String id;

    @Option(names = "--peers", required = true, split = ",", paramLabel = "ID=HOST:PORT", description = "all members, e.g. v0=10.0.0.1:9870,v1=10.0.0.2:9870,v2=10.0.0.3:9870")
    List<String> peers = new ArrayList<>();

    @Option(names = "--operator-key", description = "operator key file, if this member also accepts faucet/escrow transactions")
    Path operatorKey;

    @Override
    public Integer call() {

        return LedgerDirs.guard(this::execute);

    }


    private Integer execute() throws Exception {
        List<Ledger.Peer> ps = new ArrayList<>();
        for (String p : peers) {
            int eq = p.indexOf('=');
            if (eq < 0 || p.indexOf(':', eq) < 0) throw new CommandLine.ParameterException(new CommandLine(this), "--peers entry '" + p + "' is not ID=HOST:PORT");
            ps.add(new Ledger.Peer(p.substring(0, eq), p.substring(eq + 1)));
        }
        if (ps.size() != 1 && ps.size() != 3 && ps.size() != 5) System.err.println("warning: " + ps.size() + " members; use 3 or 5 to tolerate 1 or 2 failures");
        Files.createDirectories(data);
        Identity key = Identity.loadOrCreate(data.resolve("validator.key"));
        Genesis g = Genesis.decode(Files.readAllBytes(genesis));
        if (!g.validators().contains(key.publicKey())) {
            System.err.println(data.resolve("validator.key") + ": key " + key.publicKey() + " is not a validator in " + genesis
                    + "; put it in the genesis (braid validator genesis --validator " + key.publicKey() + " ...)");
            return 2;
        }
        Identity op = operatorKey == null ? null : Identity.load(operatorKey);
        try (Ledger l = Ledger.openMember(data, g, key, op, ps, id)) {
            l.awaitReady(60_000);
            System.out.println("validator " + id + " (" + key.publicKey() + ") running; height " + l.height() + "; Ctrl-C to stop");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    /** Writes a genesis file for a validator group. */
    @Command(name = "genesis", mixinStandardHelpOptions = true, description = "Write a genesis file naming the validators, minters and slashers.")
    public static final class MakeGenesis implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "genesis file to write")
        Path out;

        @Option(names = "--chain-id", defaultValue = "braid", description = "chain id (default: ${DEFAULT-VALUE})")
        String chainId;

        @Option(names = "--validator", required = true, description = "validator public key (hex); repeatable")
        List<String> validators = new ArrayList<>();

        @Option(names = "--operator", description = "gateway operator public key (hex): minter (faucet/bridge) and slasher; repeatable")
        List<String> operators = new ArrayList<>();

        @Override
        public Integer call() {

            return LedgerDirs.guard(this::execute);

        }


        private Integer execute() throws IOException {
            List<PublicKey> vs = validators.stream().map(PublicKey::ofHex).toList();
            List<PublicKey> os = operators.stream().map(PublicKey::ofHex).toList();
            Genesis g = new Genesis(chainId, System.currentTimeMillis(), Params.defaults(), vs, os, os, Genesis.devTreasury());
            if (Files.exists(out)) {
                System.err.println(out + ": already exists; refusing to overwrite a genesis");
                return 2;
            }
            Files.write(out, g.encode());
            System.out.println("genesis " + g.hash() + " written to " + out);
            return 0;
        }
    }
}
