package io.braid.cli;

import static io.braid.cli.InProcessBraid.braid;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code braid account|ledger|gov} in-process against a local ledger directory. */
class LedgerCommandsTest {

    private static String out(InProcessBraid.Run r) {
        return new String(r.out(), StandardCharsets.UTF_8);
    }

    @Test
    void accountFaucetVerifyProofAndGovernance(@TempDir Path data) throws Exception {
        var created = braid("account", "create", "--data", data.toString(), "--fund", "2.5");
        assertThat(created.exit()).as(created.err()).isZero();
        Matcher m = Pattern.compile("account ([0-9a-f]{64})").matcher(out(created));
        assertThat(m.find()).isTrue();
        String account = m.group(1);
        assertThat(out(created)).contains("api key brd_").contains("balance 2.500000");
        var f = braid("ledger", "faucet", "--data", data.toString(), "--account", account, "--amount", "1500000u");
        assertThat(f.exit()).as(f.err()).isZero();
        assertThat(out(f)).contains("balance 4.000000");
        Matcher tx = Pattern.compile("in tx ([0-9a-f]{64})").matcher(out(f));
        assertThat(tx.find()).isTrue();

        var v = braid("ledger", "verify", "--data", data.toString());
        assertThat(v.exit()).as(v.err()).isZero();
        assertThat(out(v)).contains(": OK").contains("3 blocks");

        Path proof = data.resolve("proof.json");
        var p = braid("ledger", "proof", "--data", data.toString(), "--tx", tx.group(1), "--out", proof.toString());
        assertThat(p.exit()).as(p.err()).isZero();
        var ok = braid("ledger", "check-proof", proof.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(out(ok)).contains("VALID").contains("tx " + tx.group(1));
        String validator = Files.readString(data.resolve("ledger/validator.key")).lines().filter(l -> l.startsWith("public="))
                .findFirst().orElseThrow().substring(7);
        var trusted = braid("ledger", "check-proof", proof.toString(), "--validator", validator);
        assertThat(trusted.exit()).as(trusted.err()).isZero();
        var stranger = braid("ledger", "check-proof", proof.toString(), "--validator", "00".repeat(32));
        assertThat(stranger.exit()).isEqualTo(1);
        assertThat(stranger.err()).contains("not one of the --validator keys you trust");
        String json = Files.readString(proof);
        Files.writeString(proof, json.replaceFirst("\"index\" : \\d+", "\"index\" : 1"));
        var bad = braid("ledger", "check-proof", proof.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("INVALID");
        Files.writeString(proof, "{oops");
        var garbage = braid("ledger", "check-proof", proof.toString());
        assertThat(garbage.exit()).isEqualTo(2);
        assertThat(garbage.err()).contains("proof.json: not a proof bundle");

        var list = braid("gov", "list", "--data", data.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(out(list)).contains("no proposals").contains("marginPpm=100000");
        Path key = data.resolve("ledger/accounts/" + account + ".key");
        var propose = braid("gov", "propose", "--data", data.toString(), "--key", key.toString(), "--set", "marginPpm=50000");
        assertThat(propose.exit()).isEqualTo(1);
        assertThat(propose.err()).contains("only staked accounts may propose");
        var stake = braid("account", "stake", "--data", data.toString(), "--key", key.toString(), "--amount", "1");
        assertThat(stake.exit()).as(stake.err()).isZero();
        var propose2 = braid("gov", "propose", "--data", data.toString(), "--key", key.toString(), "--set", "marginPpm=50000");
        assertThat(propose2.exit()).as(propose2.err()).isZero();
        Matcher pid = Pattern.compile("tx ([0-9a-f]{64})").matcher(out(propose2));
        assertThat(pid.find()).isTrue();
        var vote = braid("gov", "vote", "--data", data.toString(), "--key", key.toString(), "--proposal", pid.group(1));
        assertThat(vote.exit()).as(vote.err()).isZero();
        var listed = braid("gov", "list", "--data", data.toString());
        assertThat(out(listed)).contains(pid.group(1) + " open").contains("marginPpm, value=50000").contains("yes 1000000");
        var badSet = braid("gov", "propose", "--data", data.toString(), "--key", key.toString(), "--set", "marginPpm=-3");
        assertThat(badSet.exit()).isEqualTo(2);
        assertThat(badSet.err()).contains("parameter marginPpm=-3 outside 0..10000000");

        // flip one byte in the middle of the block file: verify fails and names the block
        Path blocks = data.resolve("ledger/blocks.dat");
        try (RandomAccessFile raf = new RandomAccessFile(blocks.toFile(), "rw")) {
            long pos = raf.length() - 80;
            raf.seek(pos);
            int b = raf.read();
            raf.seek(pos);
            raf.write(b ^ 0x40);
        }
        var broken = braid("ledger", "verify", "--data", data.toString());
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).contains("FAILED at block 6:");
    }

    @Test
    void badArgumentsGiveOneLineErrors(@TempDir Path data) {
        var r = braid("ledger", "faucet", "--data", data.toString(), "--account", "abc", "--amount", "1");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("odd length");
        var missing = braid("ledger", "verify", "--data", data.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("genesis.bin: missing");
        var nofile = braid("ledger", "check-proof", data.resolve("none.json").toString());
        assertThat(nofile.exit()).isEqualTo(2);
    }
}
