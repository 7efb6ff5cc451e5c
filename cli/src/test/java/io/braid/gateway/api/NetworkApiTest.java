package io.braid.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.braid.cli.UpCommand;
import io.braid.model.llama.Flops;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole API contract end to end over a real network: the gateway (cluster core + HTTP) in this JVM and two
 * {@code braid node} processes on loopback, each hosting a span of stories260K from its own copy of the file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class NetworkApiTest extends ApiContract {

    private static final int NODES = 2;

    private Gateway gateway;
    private final List<UpCommand.NodeProcess> nodes = new ArrayList<>();
    private Http http;
    private Http anonymous;
    private String apiKey;

    @BeforeAll
    void start() throws Exception {
        Path data = Files.createTempDirectory("braid-e2e");
        Files.createDirectories(data.resolve("logs"));
        gateway = Gateway.start(new Gateway.Options("127.0.0.1", 0, 0, data, List.of(Reference.stories()),
                Gateway.Options.DEFAULT_MAX_IN_FLIGHT), new PrintStream(OutputStream.nullOutputStream()));
        apiKey = UpCommand.createDevAccount(gateway.billing(), data);
        List<Path> keys = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            keys.add(UpCommand.NodeProcess.keyFile(data, i));
        }
        UpCommand.registerNodes(gateway.billing(), data, keys);
        for (int i = 0; i < NODES; i++) {
            nodes.add(UpCommand.NodeProcess.start(i, gateway.nodeAddress(), Reference.stories(), data));
        }
        boolean covered = gateway.inference().awaitCovered(MODEL, Duration.ofSeconds(120));
        assertThat(covered).as("nodes cover the model; logs: %s", nodes.stream().map(n -> n.logTail()).toList())
                .isTrue();
        anonymous = new Http(gateway.apiBase());
        http = anonymous.withKey(apiKey);
    }

    @AfterAll
    void stop() {
        UpCommand.stopAll(nodes);
        if (gateway != null) {
            gateway.close();
        }
    }

    @Override
    Http http() {
        return http;
    }

    @Override
    int port() {
        return gateway.httpPort();
    }

    @Test
    void nodesAreListedWithTheirSpansCoveringTheModel() {
        Http.Response r = http.get("/v1/nodes");
        assertThat(r.status()).isEqualTo(200);
        var data = r.body().path("data");
        List<String> identities = nodes.stream().map(UpCommand.NodeProcess::identity).toList();
        int layersCovered = 0;
        for (var n : data) {
            assertThat(identities).contains(n.path("public_key").asText());
            assertThat(n.path("state").asText()).isEqualTo("ready");
            assertThat(n.path("capacity").path("flops").asDouble()).isPositive();
            layersCovered += n.path("span").path("to_layer").asInt() - n.path("span").path("from_layer").asInt();
        }
        assertThat(data.size()).isEqualTo(NODES);
        Http.Response c = http.post("/v1/completions", completion("Once upon a time", 4));
        List<String> nodeIds = new ArrayList<>();
        data.forEach(n -> nodeIds.add(n.path("id").asText()));
        assertThat(c.body().path("braid").path("route")).isNotEmpty()
                .allSatisfy(hop -> assertThat(nodeIds).contains(hop.asText()));
        assertThat(layersCovered).isGreaterThanOrEqualTo(5); // stories260K has 5 layers
        assertThat(metric("braid_nodes_up")).isEqualTo(NODES);
    }

    @Test
    void requestsNeedAValidApiKey() {
        assertError(anonymous.post("/v1/completions", completion("Once", 4)), 401, "invalid_api_key");
        assertError(anonymous.withKey("brd_not-a-key").post("/v1/completions", completion("Once", 4)), 401,
                "invalid_api_key");
        assertError(anonymous.withKey("brd_not-a-key").post("/v1/chat/completions", "{"), 401, "invalid_api_key");
        assertThat(http.post("/v1/completions", completion("Once", 4)).status()).isEqualTo(200);
    }

    @Test
    void anUnfundedAccountGets402AndIsNotCharged() {
        var account = gateway.billing().createAccount();
        Http.Response r = anonymous.withKey(account.apiKey()).post("/v1/completions", completion("Once", 4));
        assertError(r, 402, "insufficient_funds");
        assertThat(r.body().path("error").path("message").asText()).contains("insufficient funds");
        Http.Response acct = http.get("/v1/ledger/accounts/" + account.account().hex());
        assertThat(acct.body().path("balance").asLong()).isZero();
        assertThat(acct.body().path("escrow").asLong()).isZero();
        assertThat(http.post("/v1/completions", completion("Once", 4)).status()).isEqualTo(200);
    }

    @Test
    void everyCompletionIsChargedItsFlopsAndThePaymentAddsUpToTheMicroUnit() throws Exception {
        var account = gateway.billing().createAccount();
        assertThat(gateway.billing().faucet(account.account(), 50_000_000L).ok()).isTrue();
        Http payer = anonymous.withKey(account.apiKey());
        long before = http.get("/v1/ledger/accounts/" + account.account().hex()).body().path("balance").asLong();
        long paid = 0;
        LlamaConfig config;
        try (LlamaModel m = LlamaModel.open(Reference.stories())) {
            config = m.config();
        }
        for (int maxTokens : new int[]{5, 17, 40}) {
            Map<String, Long> servedBefore = settledTokensServed();
            Http.Response r = payer.post("/v1/completions", completion("Once upon a time", maxTokens));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            String receiptId = r.body().path("receipt_id").asText();
            assertThat(receiptId).isEqualTo(r.body().path("id").asText());
            JsonNode receipt = settledReceipt(receiptId);
            int prompt = r.body().path("usage").path("prompt_tokens").asInt();
            int generated = r.body().path("usage").path("completion_tokens").asInt();
            // Stopped on max_tokens: the last sampled token was never fed back through the layers.
            int positions = prompt + generated - 1;
            int[] p = java.util.stream.IntStream.range(0, positions).toArray();
            long total = 0;
            int layers = 0;
            for (JsonNode hop : receipt.path("route")) {
                int from = hop.path("from_layer").asInt();
                int to = hop.path("to_layer").asInt();
                assertThat(from).isEqualTo(layers); // the route's spans tile the model in order
                layers = to;
                assertThat(hop.path("positions").asInt()).isEqualTo(positions);
                assertThat(hop.path("flops").asLong()).isEqualTo(Flops.span(config, from, to, p));
                total += hop.path("flops").asLong();
            }
            assertThat(layers).isEqualTo(config.layers());
            // The nodes' own count of rows processed (reported in heartbeats) agrees with what was billed.
            for (JsonNode hop : receipt.path("route")) {
                String node = hop.path("node").asText();
                long delta = settledTokensServed().get(node) - servedBefore.get(node);
                assertThat(delta).as("rows node %s processed", node).isEqualTo(hop.path("positions").asLong());
            }
            JsonNode st = receipt.path("settlement");
            assertThat(st.path("flops").asLong()).isEqualTo(total);
            long charge = st.path("charge").asLong();
            long rewards = 0;
            for (JsonNode reward : st.path("rewards")) {
                rewards += reward.path("amount").asLong();
            }
            assertThat(charge).isEqualTo(rewards + st.path("fee").asLong() + st.path("burn").asLong());
            assertThat(charge + st.path("released").asLong()).isEqualTo(receipt.path("hold").path("amount").asLong());
            long price = http.get("/v1/prices").body().path("price_per_tflop").asLong();
            assertThat(charge).isEqualTo(Math.ceilDiv(total * price, 1_000_000_000_000L));
            paid += charge;
            // The settlement is on the ledger, with an inclusion proof anyone can check.
            String txId = st.path("tx_id").asText();
            assertThat(http.get("/v1/ledger/proof/" + txId).status()).isEqualTo(200);
            JsonNode block = http.get("/v1/ledger/blocks/" + st.path("block_height").asLong()).body();
            assertThat(block.path("transactions").findValuesAsText("tx_id")).contains(txId);
        }
        JsonNode after = http.get("/v1/ledger/accounts/" + account.account().hex()).body();
        assertThat(after.path("balance").asLong()).isEqualTo(before - paid);
        assertThat(after.path("escrow").asLong()).isZero();
        assertError(http.get("/v1/receipts/cmpl-unknown"), 404, "receipt_not_found");
    }

    /** The nodes' counters once they stop moving (they arrive with heartbeats, so earlier traffic may still land). */
    private Map<String, Long> settledTokensServed() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Map<String, Long> last = tokensServed();
        while (true) {
            Thread.sleep(1500);
            Map<String, Long> now = tokensServed();
            if (now.equals(last)) {
                return now;
            }
            assertThat(System.nanoTime()).as("node counters settle").isLessThan(deadline);
            last = now;
        }
    }

    private Map<String, Long> tokensServed() {
        Map<String, Long> out = new HashMap<>();
        http.get("/v1/nodes").body().path("data")
                .forEach(n -> out.put(n.path("id").asText(), n.path("tokens_served").asLong()));
        return out;
    }

    private JsonNode settledReceipt(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Http.Response r = http.get("/v1/receipts/" + id);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            String status = r.body().path("status").asText();
            if (status.equals("settled")) {
                return r.body();
            }
            assertThat(status).as(r.raw()).isIn("in_progress", "pending");
            assertThat(System.nanoTime()).as("receipt %s settled in time", id).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
