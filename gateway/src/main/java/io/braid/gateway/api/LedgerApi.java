package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import io.braid.ledger.AccountView;
import io.braid.ledger.Billing;
import io.braid.ledger.Block;
import io.braid.ledger.BlockHeader;
import io.braid.ledger.Ledger;
import io.braid.ledger.Transaction;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;

/**
 * Read-only views of the economics: receipts of completions, prices, and the ledger's blocks, accounts and
 * inclusion proofs (for explorers and auditors; anything shown here can be checked offline with the proof).
 */
final class LedgerApi implements HttpService {

    private static final int MAX_BLOCKS = 100;

    private final Metering metering;
    private final Billing billing;
    private final Ledger ledger;
    private final ObjectMapper json;
    private final OpenAiApi responses;

    LedgerApi(Metering metering, ObjectMapper json, OpenAiApi responses) {
        this.metering = metering;
        this.billing = metering.billing();
        this.ledger = billing.ledger();
        this.json = json;
        this.responses = responses;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/receipts/{id}", this::receipt)
                .get("/v1/prices", this::prices)
                .get("/v1/ledger/blocks", this::blocks)
                .get("/v1/ledger/blocks/{height}", this::block)
                .get("/v1/ledger/accounts/{id}", this::account)
                .get("/v1/ledger/proof/{txId}", this::proof);
    }

    private void receipt(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        ObjectNode r = metering.receipt(id).orElseThrow(() -> ApiException.notFound("receipt_not_found",
                "no receipt '" + id + "' on this gateway (receipt ids are the ids of completions)"));
        responses.sendJson(res, 200, r);
    }

    private void prices(ServerRequest req, ServerResponse res) {
        Billing.Prices p = billing.prices();
        ObjectNode out = json.createObjectNode().put("object", "prices").put("unit", "micro-USD")
                .put("cost_per_tflop", p.costPerTflop()).put("margin_ppm", p.marginPpm())
                .put("price_per_tflop", p.pricePerTflop()).put("burn_share_ppm", p.burnSharePpm())
                .put("min_stake", p.minStake()).put("block_height", p.height());
        responses.sendJson(res, 200, out);
    }

    private void blocks(ServerRequest req, ServerResponse res) {
        long from = longParam(req, "from", 0);
        int limit = (int) Math.min(MAX_BLOCKS, Math.max(1, longParam(req, "limit", 20)));
        List<BlockHeader> headers = ledger.headers(from, limit);
        ObjectNode out = json.createObjectNode().put("object", "list").put("height", ledger.height());
        ArrayNode data = out.putArray("data");
        headers.forEach(h -> data.add(header(h)));
        responses.sendJson(res, 200, out);
    }

    private void block(ServerRequest req, ServerResponse res) {
        String raw = req.path().pathParameters().get("height");
        long height;
        try {
            height = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("height", "block height must be an integer, got '" + raw + "'");
        }
        Block b = ledger.block(height).orElseThrow(() -> ApiException.notFound("block_not_found",
                "no block at height " + height + " (the tip is " + ledger.height() + ")"));
        ObjectNode out = header(b.header());
        out.put("hash", b.hash().hex()).put("signer", b.signer().hex()).put("signature_valid", b.signatureValid());
        ArrayNode txs = out.putArray("transactions");
        for (Transaction t : b.txs()) {
            txs.addObject().put("tx_id", t.id().hex()).put("type", t.body().getClass().getSimpleName())
                    .put("signer", t.signer().hex()).put("nonce", t.nonce());
        }
        responses.sendJson(res, 200, out);
    }

    private void account(ServerRequest req, ServerResponse res) {
        PublicKey key = publicKey(req.path().pathParameters().get("id"));
        AccountView a = ledger.account(key);
        ObjectNode out = json.createObjectNode().put("object", "account").put("id", a.account().hex())
                .put("balance", a.balance()).put("stake", a.stake()).put("escrow", a.escrow())
                .put("last_nonce", a.lastNonce());
        ArrayNode unbonding = out.putArray("unbonding");
        a.unbonding().forEach(u -> unbonding.addObject().put("amount", u.amount())
                .put("release_height", u.releaseHeight()));
        ObjectNode allowances = out.putObject("allowances");
        a.allowances().forEach(allowances::put);
        responses.sendJson(res, 200, out);
    }

    private void proof(ServerRequest req, ServerResponse res) {
        String raw = req.path().pathParameters().get("txId");
        Hash32 id;
        try {
            id = Hash32.ofHex(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("tx_id", "a transaction id is 64 hex characters, got '" + raw + "'");
        }
        var proof = ledger.proof(id).orElseThrow(() -> ApiException.notFound("tx_not_found",
                "no committed transaction " + raw));
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.send(proof.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private ObjectNode header(BlockHeader h) {
        return json.createObjectNode().put("height", h.height()).put("hash", h.hash().hex())
                .put("prev_hash", h.prevHash().hex()).put("time", h.timeMillis()).put("tx_root", h.txRoot().hex())
                .put("tx_count", h.txCount()).put("state_hash", h.stateHash().hex());
    }

    private static PublicKey publicKey(String hex) {
        try {
            return PublicKey.ofHex(hex);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("account", "an account id is a 64-hex-character Ed25519 public key, got '"
                    + hex + "'");
        }
    }

    private static long longParam(ServerRequest req, String name, long dflt) {
        Optional<String> v = req.query().first(name).asOptional();
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be an integer, got '" + v.get() + "'");
        }
    }
}
