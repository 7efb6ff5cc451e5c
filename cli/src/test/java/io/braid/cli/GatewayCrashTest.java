package io.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import io.braid.ledger.Body;
import io.braid.ledger.Ledger;
import io.braid.ledger.Transaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's crash requirement with real processes: {@code braid up} (gateway + embedded ledger + a node) is
 * SIGKILLed while it meters concurrent completions; on the same data directory {@code braid ledger verify}
 * passes, every acknowledged completion's escrow hold is on the ledger, no hold is placed or settled twice, and
 * a restarted network releases the holds the crash orphaned and serves the same development account again.
 */
@Timeout(300)
class GatewayCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WORKERS = 8;
    /** Acknowledged completions to wait for before the kill; the load keeps running while it happens. */
    private static final int ACKS_BEFORE_KILL = 16;

    @TempDir
    Path data;

    private final List<Process> ups = new ArrayList<>();
    private final List<ProcessHandle> children = new ArrayList<>();

    @AfterEach
    void killEverything() {
        for (Process p : ups) {
            p.descendants().forEach(children::add);
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private Process startUp(String logName) throws Exception {
        Files.deleteIfExists(data.resolve("network.json"));
        List<String> cmd = new ArrayList<>(UpCommand.javaCommand());
        cmd.removeIf(a -> a.startsWith("-D" + ParentWatch.PROPERTY)); // `up` is not the test's child-to-watch
        cmd.addAll(List.of("up", "--nodes", "1", "--port", "0", "--model",
                InProcessBraid.shared("models/stories260K.gguf").toString(), "--data", data.toString()));
        Path log = data.resolve(logName);
        Process up = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ups.add(up);
        Path network = data.resolve("network.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.exists(network)) {
            assertThat(up.isAlive()).as("braid up exited early:\n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("network.json never appeared:\n%s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
        return up;
    }

    private String api() throws IOException {
        return JSON.readTree(data.resolve("network.json").toFile()).path("api").asText();
    }

    private static HttpResponse<String> complete(HttpClient client, String api, String key, int maxTokens, long seed)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(api + "/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":"
                        + maxTokens + ",\"seed\":" + seed + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sigkillUnderMeteredLoadLosesNoAcknowledgedHoldAndAppliesNoneTwice() throws Exception {
        Process up = startUp("up-1.log");
        String api = api();
        String key = Files.readString(data.resolve("dev-api-key")).trim();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        // Heavy metered traffic: every worker loops short completions until the gateway is gone.
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        Map<Integer, String> unexpected = new ConcurrentHashMap<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().daemon().start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                for (int i = 0; !killed.get() && System.nanoTime() < deadline; i++) {
                    inFlight.incrementAndGet();
                    try {
                        HttpResponse<String> r = complete(client, api, key, 4 + (i % 5), worker * 1000L + i);
                        if (r.statusCode() == 200) {
                            String id = JSON.readTree(r.body()).path("receipt_id").asText();
                            if (id.isEmpty()) id = JSON.readTree(r.body()).path("id").asText();
                            acknowledged.add(id);
                        } else if (!killed.get()) {
                            unexpected.putIfAbsent(worker, r.statusCode() + " " + r.body());
                        }
                    } catch (IOException e) {
                        if (!killed.get()) unexpected.putIfAbsent(worker, e.toString());
                        return; // the gateway is gone
                    } catch (InterruptedException e) {
                        return;
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (acknowledged.size() < ACKS_BEFORE_KILL && System.nanoTime() < deadline && unexpected.isEmpty()) Thread.sleep(20);
        assertThat(unexpected).as("errors before the crash").isEmpty();
        assertThat(acknowledged.size()).as("completions acknowledged before the kill").isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        // kill -9 the gateway process (and its node, which would otherwise notice and exit) mid-traffic
        List<ProcessHandle> descendants = up.descendants().toList();
        int cutOff = inFlight.get();
        killed.set(true);
        up.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).as("braid up died of SIGKILL").isTrue();
        for (ProcessHandle h : descendants) h.onExit().get(30, TimeUnit.SECONDS);
        for (Thread t : workers) t.join(TimeUnit.SECONDS.toMillis(90));
        Set<String> acked = Set.copyOf(acknowledged);
        assertThat(cutOff).as("requests were in flight when the gateway was killed").isPositive();

        // 1. The ledger left by the crash replays from genesis: signatures, links, balances, conservation.
        InProcessBraid.Run verify = InProcessBraid.braid("ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as("braid ledger verify after the crash: %s%s",
                new String(verify.out(), StandardCharsets.UTF_8), verify.err()).isZero();

        // 2. Every acknowledged completion's hold is on the ledger; no hold is placed or settled twice.
        PublicKey devAccount;
        try (Ledger ledger = Ledger.openEmbedded(data.resolve("ledger"))) {
            assertThat(ledger.supply().conservationViolation()).isNull();
            PublicKey account = null;
            for (String id : acked) {
                Path file = data.resolve("receipts").resolve(id + ".json");
                assertThat(file).as("receipt of acknowledged completion %s was written through", id).isRegularFile();
                JsonNode receipt = JSON.readTree(file.toFile());
                PublicKey payer = PublicKey.ofHex(receipt.path("account").asText());
                if (account == null) account = payer;
                assertThat(payer).isEqualTo(account);
                Hash32 holdId = Hash32.ofHex(receipt.path("hold_id").asText());
                String holdTx = receipt.path("hold").path("tx_id").asText();
                var tx = ledger.tx(Hash32.ofHex(holdTx));
                assertThat(tx).as("hold tx %s of acknowledged completion %s is on the ledger after the crash", holdTx, id).isPresent();
                assertThat(tx.get().tx().body()).isInstanceOfSatisfying(Body.EscrowHold.class, h -> assertThat(h.holds())
                        .as("hold tx %s places hold %s", holdTx, holdId).anyMatch(x -> x.holdId().equals(holdId) && x.payer().equals(payer)));
                String settleTx = receipt.path("settlement").path("tx_id").asText("");
                if (!settleTx.isEmpty()) {
                    assertThat(ledger.tx(Hash32.ofHex(settleTx))).as("settlement tx %s of %s, recorded as settled, is on the ledger", settleTx, id)
                            .isPresent();
                }
            }
            devAccount = account;
            Map<Hash32, Integer> placed = new HashMap<>();
            Map<Hash32, Long> amounts = new HashMap<>();
            Map<Hash32, Integer> closed = new HashMap<>();
            // Every block, not the account history index: settlements and releases name only hold ids.
            List<Transaction> all = new ArrayList<>();
            for (long h = 0; h <= ledger.height(); h++) ledger.block(h).ifPresent(b -> all.addAll(b.txs()));
            for (Transaction t : all) {
                switch (t.body()) {
                    case Body.EscrowHold h -> h.holds().stream().filter(x -> x.payer().equals(devAccount))
                            .forEach(x -> {
                                placed.merge(x.holdId(), 1, Integer::sum);
                                amounts.put(x.holdId(), x.amount());
                            });
                    case Body.EscrowCharge c -> c.settlements().forEach(s -> closed.merge(s.holdId(), 1, Integer::sum));
                    case Body.EscrowRelease r -> r.holdIds().forEach(id -> closed.merge(id, 1, Integer::sum));
                    default -> { }
                }
            }
            assertThat(placed.entrySet()).as("holds placed more than once").noneMatch(e -> e.getValue() > 1);
            assertThat(closed.entrySet()).as("holds settled or released more than once").noneMatch(e -> e.getValue() > 1);
            assertThat(placed.size()).as("every acknowledged completion placed a hold").isGreaterThanOrEqualTo(acked.size());
            assertThat(closed.keySet()).as("only placed holds are closed").isSubsetOf(placed.keySet());
            // The account's escrow is exactly its holds still open: nothing released or charged twice, nothing lost.
            long open = amounts.entrySet().stream().filter(e -> !closed.containsKey(e.getKey())).mapToLong(Map.Entry::getValue).sum();
            assertThat(ledger.account(devAccount).escrow()).as("escrow of the development account").isEqualTo(open);
            System.out.printf("GatewayCrashTest: %d acknowledged, %d in flight at the kill, %d holds on the ledger, %d closed, %d u still in escrow%n",
                    acked.size(), cutOff, placed.size(), closed.size(), open);
        }

        // 3. Restart on the same data: the receipts still answer, and the same account is served again.
        startUp("up-2.log");
        String api2 = api();
        assertThat(Files.readString(data.resolve("dev-api-key")).trim()).as("the development key survives the restart").isEqualTo(key);
        for (String id : acked) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(api2 + "/receipts/" + id))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("receipt %s after restart: %s", id, r.body()).isEqualTo(200);
        }
        HttpResponse<String> again = complete(client, api2, key, 8, 7);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        String againId = JSON.readTree(again.body()).path("receipt_id").asText();
        assertThat(againId).isNotEmpty().isNotIn(acked);

        // The restarted gateway released the holds the crash orphaned, and the new request settles in the next
        // block: the account's escrow drains to zero (polled, since settlement is asynchronous).
        HttpResponse<String> acct;
        long escrowDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            acct = client.send(HttpRequest.newBuilder(URI.create(api2 + "/ledger/accounts/" + devAccount.hex()))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(acct.statusCode()).as(acct.body()).isEqualTo(200);
            if (JSON.readTree(acct.body()).path("escrow").asLong(-1) == 0 || System.nanoTime() > escrowDeadline) break;
            Thread.sleep(200);
        }
        assertThat(JSON.readTree(acct.body()).path("escrow").asLong(-1))
                .as("escrow after the restart (orphaned holds released): %s", acct.body()).isZero();
        System.out.println("GatewayCrashTest: development account after the restart: " + acct.body());

        // 4. Stopped cleanly, the ledger including the post-restart traffic verifies too.
        Process up2 = ups.getLast();
        List<ProcessHandle> kids2 = up2.descendants().toList();
        up2.destroy();
        assertThat(up2.waitFor(60, TimeUnit.SECONDS)).as("braid up stops on SIGTERM").isTrue();
        for (ProcessHandle h : kids2) h.onExit().get(30, TimeUnit.SECONDS);
        InProcessBraid.Run verify2 = InProcessBraid.braid("ledger", "verify", "--data", data.toString());
        assertThat(verify2.exit()).as("braid ledger verify after the restart: %s%s",
                new String(verify2.out(), StandardCharsets.UTF_8), verify2.err()).isZero();
    }
}
