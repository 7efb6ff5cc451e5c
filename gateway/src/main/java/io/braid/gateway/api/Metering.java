package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.PublicKey;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.FinishReason;
import io.braid.gateway.inference.RouteHop;
import io.braid.ledger.Billing;
import io.braid.ledger.Body;
import io.braid.ledger.Effect;
import io.braid.ledger.InsufficientFundsException;
import io.braid.model.llama.Flops;
import io.braid.model.llama.LlamaConfig;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Billing in the HTTP layer: API keys name ledger accounts; a request holds its worst-case cost in escrow, then
 * is charged for the FLOPs its nodes computed — recomputed here from the model's shape, each node's span and the
 * positions it processed ({@link Flops}), never reported by nodes — and the rest is released. Every completion
 * gets a receipt (same id as the completion) showing the route, FLOPs per node, price, amounts and ledger txs.
 */
final class Metering {

    /** Escrow placed for one request. */
    record Hold(String requestId, Hash32 holdId, PublicKey account, long worstCaseFlops, Billing.HoldReceipt receipt) {
    }

    /** One node's share of a request: its span and the positions it processed there. */
    record NodeWork(String nodeId, PublicKey node, int fromLayer, int toLayer, int positions, long flops) {
    }

    private final Billing billing;
    private final ObjectMapper json;
    private final ReceiptStore receipts;

    Metering(Billing billing, ObjectMapper json) {
        this.billing = billing;
        this.json = json;
        // Beside the ledger's directory: DATA/receipts next to DATA/ledger.
        this.receipts = new ReceiptStore(billing.ledger().dataDir().toAbsolutePath().resolveSibling("receipts"), json);
    }

    Billing billing() {
        return billing;
    }

    /** The account behind {@code Authorization: Bearer <key>}, or 401. */
    PublicKey authenticate(Optional<String> authorization) {
        String header = authorization.orElseThrow(() -> ApiException.unauthorized(
                "missing API key: send 'Authorization: Bearer <key>' (braid up writes a development key to DATA/dev-api-key)"));
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer <key>'");
        }
        String key = header.substring(7).trim();
        return billing.accountForApiKey(key).orElseThrow(() -> ApiException.unauthorized(
                "unknown API key " + redact(key) + "; create one with 'braid account create'"));
    }

    /** FLOPs of the whole model for positions {@code 0..n-1}: what a request of n positions can cost at most. */
    static long flops(LlamaConfig config, int from, int to, int positions) {
        int[] p = new int[positions];
        for (int i = 0; i < positions; i++) {
            p[i] = i;
        }
        return Flops.span(config, from, to, p);
    }

    /** Places the worst-case hold (every layer, prompt + max_tokens positions), or 402. */
    Hold hold(String requestId, PublicKey account, ServedModel model, int promptTokens, int maxTokens) {
        long worst = flops(model.config(), 0, model.config().layers(), promptTokens + maxTokens);
        long cost = Math.max(1, billing.costOf(worst));
        Hash32 holdId = Hashes.sha256(("braid/receipt/" + requestId).getBytes(StandardCharsets.UTF_8));
        try {
            Billing.HoldReceipt receipt = billing.hold(holdId, account, cost).join();
            Hold hold = new Hold(requestId, holdId, account, worst, receipt);
            // The receipt exists from the moment the response can carry its id.
            receipts.put(requestId, base(hold, "in_progress"));
            return hold;
        } catch (CompletionException e) {
            if (e.getCause() instanceof InsufficientFundsException funds) {
                throw ApiException.insufficientFunds("insufficient funds: this request may cost up to " + cost
                        + " micro-units (" + worst + " FLOPs at " + billing.prices().pricePerTflop()
                        + " micro-units per TFLOP); " + funds.getMessage());
            }
            throw new IllegalStateException("the ledger refused the escrow hold: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** The request failed before any node computed for it: give the whole hold back. */
    void release(Hold hold, String reason) {
        billing.release(hold.holdId()).whenComplete((r, e) -> {
            ObjectNode receipt = base(hold, reason == null ? "released" : "released: " + reason);
            if (r != null) {
                receipt.putObject("release").put("amount", r.amount()).put("tx_id", r.txId().hex())
                        .put("block_height", r.height());
            } else {
                receipt.put("status", "release failed: " + cause(e).getMessage());
            }
            receipts.put(hold.requestId(), receipt);
        });
    }

    /**
     * What each node of the final route computed: the layers it ran for this session × the positions the session
     * forwarded. A node that failed mid-request and was replaced is not paid; its replacement recomputed
     * (replayed) every position, so it is paid for all of them.
     */
    static List<NodeWork> work(LlamaConfig config, CompletionResult result) {
        int generated = result.completionTokens();
        // The Generator forwards every prompt position and every generated token except the last one when it
        // stopped on max_tokens or a listener stop (that token was never fed back); an EOS stop forwarded them all.
        int positions = result.promptTokens() + generated
                - (result.finishReason() == FinishReason.STOP || generated == 0 ? 0 : 1);
        List<NodeWork> out = new ArrayList<>();
        for (RouteHop hop : result.hops()) {
            out.add(new NodeWork(hop.nodeId(), PublicKey.ofHex(hop.publicKey()), hop.fromLayer(), hop.toLayer(),
                    positions, flops(config, hop.fromLayer(), hop.toLayer(), positions)));
        }
        return out;
    }

    /** Charges the computed FLOPs and releases the rest; asynchronous (next block), the receipt fills in then. */
    void settle(Hold hold, ServedModel model, CompletionResult result, List<NodeWork> work) {
        ObjectNode pending = base(hold, "pending");
        describe(pending, model, result, work);
        receipts.put(hold.requestId(), pending);
        List<Body.NodeWork> bill = work.stream().map(w -> new Body.NodeWork(w.node(), w.flops())).toList();
        if (bill.isEmpty()) {
            release(hold, "no node work to charge");
            return;
        }
        billing.settle(hold.holdId(), bill).whenComplete((s, e) -> {
            ObjectNode receipt = pending.deepCopy();
            if (s == null) {
                receipt.put("status", "settlement failed: " + cause(e).getMessage());
                receipts.put(hold.requestId(), receipt);
                billing.release(hold.holdId());
                return;
            }
            receipt.put("status", "settled");
            ObjectNode st = receipt.putObject("settlement");
            st.put("flops", s.flops()).put("price_per_tflop", s.pricePerTflop()).put("charge", s.charge())
                    .put("released", s.released()).put("fee", s.fee()).put("burn", s.burn())
                    .put("tx_id", s.txId().hex()).put("block_height", s.height());
            ArrayNode rewards = st.putArray("rewards");
            for (Effect.NodeReward r : s.rewards()) {
                rewards.addObject().put("node", r.node().hex()).put("owner", r.owner().hex())
                        .put("flops", r.flops()).put("amount", r.amount());
            }
            receipts.put(hold.requestId(), receipt);
        });
    }

    Optional<ObjectNode> receipt(String id) {
        return receipts.get(id);
    }

    private ObjectNode base(Hold hold, String status) {
        ObjectNode r = json.createObjectNode().put("id", hold.requestId()).put("object", "receipt")
                .put("created", Instant.now().getEpochSecond()).put("status", status)
                .put("account", hold.account().hex()).put("hold_id", hold.holdId().hex());
        r.putObject("hold").put("worst_case_flops", hold.worstCaseFlops()).put("amount", hold.receipt().amount())
                .put("tx_id", hold.receipt().txId().hex()).put("block_height", hold.receipt().height());
        return r;
    }

    private static void describe(ObjectNode r, ServedModel model, CompletionResult result, List<NodeWork> work) {
        r.put("model", model.id()).put("prompt_tokens", result.promptTokens())
                .put("completion_tokens", result.completionTokens()).put("failovers", result.failovers());
        ArrayNode route = r.putArray("route");
        long total = 0;
        for (NodeWork w : work) {
            route.addObject().put("node", w.nodeId()).put("public_key", w.node().hex())
                    .put("from_layer", w.fromLayer()).put("to_layer", w.toLayer()).put("positions", w.positions())
                    .put("flops", w.flops());
            total += w.flops();
        }
        r.put("flops", total);
    }

    private static Throwable cause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String redact(String key) {
        return key.length() <= 8 ? "(" + key.length() + " characters)" : key.substring(0, 6) + "…";
    }
}
