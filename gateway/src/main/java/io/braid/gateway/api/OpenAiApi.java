package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.braid.crypto.PublicKey;
import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.ContextOverflowException;
import io.braid.gateway.inference.InferenceException;
import io.braid.gateway.inference.InferenceService;
import io.braid.gateway.inference.InvalidRequestException;
import io.braid.gateway.inference.NoCapacityException;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.SamplingParams;
import io.braid.gateway.inference.UnknownModelException;
import io.braid.model.chat.ChatMessage;
import io.braid.model.tokenizer.Tokenizer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The OpenAI-compatible HTTP API over an {@link InferenceService}: models, completions, chat completions
 * (optionally streamed as server-sent events), plus the network's own {@code /v1/nodes}, {@code /healthz} and
 * {@code /metrics}. Every handler runs on its own virtual thread (Helidon SE 4), so blocking on the cluster is fine.
 */
public final class OpenAiApi implements HttpService {

    private static final String ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** OpenAI's default for the legacy completions endpoint when max_tokens is absent. */
    private static final int DEFAULT_COMPLETION_TOKENS = 16;

    private final InferenceService inference;
    /** Billing; empty for a gateway without a ledger (tests of the HTTP layer alone). */
    private final Optional<Metering> metering;
    private final Map<String, ServedModel> models;
    private final ApiMetrics metrics;
    private final ObjectMapper json;
    private final RequestParser parser;
    private final Semaphore admission;
    private final int maxInFlight;
    private final SecureRandom random = new SecureRandom();
    private final long created = Instant.now().getEpochSecond();

    /**
     * @param metering    billing (API keys, escrow, receipts), or empty to serve without accounts
     * @param maxInFlight completions served at once; more get 429 (the cluster queues below that)
     */
    OpenAiApi(InferenceService inference, List<ServedModel> models, Optional<Metering> metering, ApiMetrics metrics,
              ObjectMapper json, int maxInFlight) {
        this.inference = inference;
        this.metering = metering;
        Map<String, ServedModel> byId = new LinkedHashMap<>();
        for (ServedModel m : models) {
            byId.put(m.id(), m);
        }
        this.models = Map.copyOf(byId);
        this.metrics = metrics;
        this.json = json;
        this.parser = new RequestParser(json);
        this.maxInFlight = maxInFlight;
        this.admission = new Semaphore(maxInFlight);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/models", this::listModels)
                .get("/v1/models/{id}", this::getModel)
                .post("/v1/completions", (req, res) -> complete(req, res, false))
                .post("/v1/chat/completions", (req, res) -> complete(req, res, true))
                .get("/v1/nodes", this::nodes)
                .get("/healthz", this::health)
                .get("/metrics", this::prometheus)
                .any("/v1/completions", this::methodNotAllowed)
                .any("/v1/chat/completions", this::methodNotAllowed);
    }

    // ---- models, nodes, health, metrics ---------------------------------------------------------------------

    private void listModels(ServerRequest req, ServerResponse res) {
        ObjectNode out = json.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        models.values().forEach(m -> data.add(modelJson(m)));
        sendJson(res, 200, out);
    }

    private void getModel(ServerRequest req, ServerResponse res) {
        sendJson(res, 200, modelJson(model(req.path().pathParameters().get("id"))));
    }

    private ObjectNode modelJson(ServedModel m) {
        ObjectNode o = json.createObjectNode()
                .put("id", m.id()).put("object", "model").put("created", created).put("owned_by", "braid")
                .put("context_length", m.info().contextLength()).put("layers", m.info().layers())
                .put("vocab_size", m.info().vocabSize());
        o.put("covered", inference.isModelCovered(m.id()));
        return o;
    }

    private void nodes(ServerRequest req, ServerResponse res) {
        ObjectNode out = json.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (NodeSnapshot n : inference.nodes()) {
            ObjectNode o = data.addObject()
                    .put("id", n.nodeId()).put("public_key", n.publicKey()).put("address", n.address())
                    .put("state", n.state());
            o.putObject("capacity").put("flops", n.flops()).put("memory_bandwidth", n.memoryBandwidth())
                    .put("free_ram_bytes", n.freeRamBytes()).put("threads", n.threads());
            if (n.fromLayer() >= 0) {
                o.putObject("span").put("model", n.modelId()).put("from_layer", n.fromLayer())
                        .put("to_layer", n.toLayer());
            } else {
                o.putNull("span");
            }
            o.put("active_sessions", n.activeSessions()).put("tokens_served", n.tokensServed())
                    .put("failures", n.failures()).put("last_seen", n.lastSeenMillis());
        }
        sendJson(res, 200, out);
    }

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode out = json.createObjectNode();
        ObjectNode covered = out.putObject("models");
        boolean all = true;
        for (String id : models.keySet()) {
            boolean c = inference.isModelCovered(id);
            covered.put(id, c ? "covered" : "not covered");
            all &= c;
        }
        long ready = inference.nodes().stream().filter(n -> n.state().equals("ready")).count();
        out.put("nodes_ready", ready).put("in_flight", maxInFlight - admission.availablePermits());
        out.put("status", all ? "ok" : "unavailable");
        sendJson(res, all ? 200 : 503, out);
    }

    private void prometheus(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void methodNotAllowed(ServerRequest req, ServerResponse res) {
        throw new ApiException(405, "invalid_request_error", "method_not_allowed",
                req.prologue().method().text() + " is not allowed on " + req.path().path() + "; use POST");
    }

    // ---- completions ---------------------------------------------------------------------------------------

    private void complete(ServerRequest req, ServerResponse res, boolean chat) {
        // Authentication comes first, as in OpenAI's API: without a valid key nothing else is looked at.
        Optional<PublicKey> account = metering.map(m -> m.authenticate(req.headers().first(HeaderNames.AUTHORIZATION)));
        OpenAiRequest request = parser.parse(req.content().as(byte[].class), chat);
        ServedModel model = model(request.model());
        int[] prompt = promptTokens(model, request.prompt());
        int maxTokens = maxTokens(model, request, prompt.length);
        long seed = request.seed().orElseGet(random::nextLong);
        SamplingParams sampling = new SamplingParams(request.temperature(), request.topP(), 0, seed);
        CompletionRequest job = new CompletionRequest(model.id(), prompt, maxTokens, sampling);

        if (!admission.tryAcquire()) {
            throw ApiException.tooManyRequests("the gateway is serving " + maxInFlight
                    + " requests at once; retry shortly");
        }
        try {
            String id = (chat ? "chatcmpl-" : "cmpl-") + randomId();
            Optional<Metering.Hold> hold = account.map(a -> metering.get().hold(id, a, model, prompt.length, maxTokens));
            Optional<Outcome> outcome;
            try {
                outcome = request.stream() ? stream(res, request, model, job, id, hold.isPresent())
                        : Optional.of(respond(res, request, model, job, id, hold.isPresent()));
            } catch (RuntimeException e) {
                hold.ifPresent(h -> metering.get().release(h, e.getMessage()));
                throw e;
            }
            if (hold.isPresent()) {
                Metering m = metering.get();
                if (outcome.isPresent()) {
                    CompletionResult r = outcome.get().result();
                    m.settle(hold.get(), model, r, Metering.work(model.config(), r));
                } else {
                    m.release(hold.get(), "the request failed while streaming");
                }
            }
        } finally {
            admission.release();
        }
    }

    /** The whole answer as one JSON object. */
    private Outcome respond(ServerResponse res, OpenAiRequest request, ServedModel model, CompletionRequest job,
                            String id, boolean billed) {
        StringBuilder text = new StringBuilder();
        Outcome outcome = generate(model, job, request, text::append);
        ObjectNode out = json.createObjectNode().put("id", id)
                .put("object", request.chat() ? "chat.completion" : "text_completion")
                .put("created", Instant.now().getEpochSecond()).put("model", model.id());
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        if (request.chat()) {
            choice.putObject("message").put("role", "assistant").put("content", text.toString());
        } else {
            choice.put("text", text.toString()).putNull("logprobs");
        }
        choice.put("finish_reason", outcome.finishReason());
        out.set("usage", usage(outcome));
        if (billed) {
            out.put("receipt_id", id);
        }
        out.set("braid", braidInfo(outcome));
        sendJson(res, 200, out);
        return outcome;
    }

    /**
     * Server-sent events, one chunk per piece of text, then a final chunk with finish_reason and [DONE]. Returns
     * the outcome (also when the client went away: its tokens were computed), or empty when it failed mid-stream.
     */
    private Optional<Outcome> stream(ServerResponse res, OpenAiRequest request, ServedModel model,
                                     CompletionRequest job, String id, boolean billed) {
        SseStream sse = new SseStream(res, json);
        long createdAt = Instant.now().getEpochSecond();
        boolean[] roleSent = {false};
        Consumer<String> emit = piece -> {
            if (request.chat() && !roleSent[0]) {
                roleSent[0] = true;
                sse.event(chunk(request, id, createdAt, model, delta -> delta.put("role", "assistant").put("content", ""), null));
            }
            sse.event(chunk(request, id, createdAt, model, delta -> delta.put("content", piece), null));
        };
        Outcome outcome;
        try {
            outcome = generate(model, job, request, emit);
        } catch (RuntimeException e) {
            if (!sse.started()) {
                throw e; // nothing sent yet: the error handler answers with a proper status code
            }
            try {
                sse.event(errorJson(toApiException(e)));
                sse.done();
            } catch (SseStream.ClientGoneException gone) {
                sse.close();
            }
            return Optional.empty();
        }
        if (outcome.clientGone()) {
            metrics.disconnect();
            sse.close();
            return Optional.of(outcome);
        }
        try {
            if (request.chat() && !roleSent[0]) {
                emit.accept("");
            }
            ObjectNode last = chunk(request, id, createdAt, model, delta -> { }, outcome.finishReason());
            if (billed) {
                last.put("receipt_id", id);
            }
            last.set("braid", braidInfo(outcome));
            sse.event(last);
            if (request.streamUsage()) {
                ObjectNode u = json.createObjectNode().put("id", id)
                        .put("object", request.chat() ? "chat.completion.chunk" : "text_completion")
                        .put("created", createdAt).put("model", model.id());
                u.putArray("choices");
                u.set("usage", usage(outcome));
                sse.event(u);
            }
            sse.done();
        } catch (SseStream.ClientGoneException gone) {
            metrics.disconnect();
            sse.close();
        }
        return Optional.of(outcome);
    }

    private ObjectNode chunk(OpenAiRequest request, String id, long createdAt, ServedModel model,
                             Consumer<ObjectNode> delta, String finishReason) {
        ObjectNode o = json.createObjectNode().put("id", id)
                .put("object", request.chat() ? "chat.completion.chunk" : "text_completion")
                .put("created", createdAt).put("model", model.id());
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        if (request.chat()) {
            delta.accept(choice.putObject("delta"));
        } else {
            ObjectNode tmp = json.createObjectNode();
            delta.accept(tmp);
            choice.put("text", tmp.path("content").asText("")).putNull("logprobs");
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return o;
    }

    /** What a finished generation amounts to. */
    private record Outcome(CompletionResult result, boolean stopped, boolean clientGone) {
        String finishReason() {
            return stopped ? "stop" : result.finishReason().openAi();
        }
    }

    /**
     * Runs the generation, decoding tokens into text and cutting at stop sequences; {@code emit} receives each
     * piece of text that is final. A {@link SseStream.ClientGoneException} from {@code emit} cancels the
     * generation (the cluster closes the session); the outcome then says {@code clientGone}.
     */
    private Outcome generate(ServedModel model, CompletionRequest job, OpenAiRequest request, Consumer<String> emit) {
        int[] prompt = job.promptTokens();
        TextStream text = new TextStream(model.tokenizer(), prompt[prompt.length - 1]);
        StopSequences stopper = new StopSequences(request.stop());
        int[] turnEnds = request.chat() ? model.chatStopTokens() : new int[0];
        boolean[] turnEnded = {false};
        SseStream.ClientGoneException[] gone = {null};
        CompletionResult result;
        try {
            result = inference.complete(job, token -> {
                for (int end : turnEnds) {
                    if (token == end) { // the assistant's turn is over: not part of the answer
                        turnEnded[0] = true;
                        return false;
                    }
                }
                String piece = stopper.push(text.next(token));
                if (!piece.isEmpty()) {
                    try {
                        emit.accept(piece);
                    } catch (SseStream.ClientGoneException e) {
                        gone[0] = e;
                        return false;
                    }
                }
                return !stopper.stopped();
            });
        } catch (InferenceException e) {
            throw toApiException(e);
        }
        if (gone[0] != null) {
            metrics.tokens(result.promptTokens(), result.completionTokens());
            return new Outcome(result, false, true);
        }
        if (!stopper.stopped()) {
            String tail = stopper.push(text.finish());
            tail += stopper.finish();
            if (!tail.isEmpty()) {
                emit.accept(tail);
            }
        }
        metrics.tokens(result.promptTokens(), result.completionTokens());
        return new Outcome(result, stopper.stopped() || turnEnded[0], false);
    }

    private ObjectNode usage(Outcome outcome) {
        CompletionResult r = outcome.result();
        return json.createObjectNode().put("prompt_tokens", r.promptTokens())
                .put("completion_tokens", r.completionTokens())
                .put("total_tokens", r.promptTokens() + r.completionTokens());
    }

    /** Braid's own fields: which nodes served the request and whether a failover happened. */
    private ObjectNode braidInfo(Outcome outcome) {
        ObjectNode o = json.createObjectNode().put("session_id", outcome.result().sessionId());
        ArrayNode route = o.putArray("route");
        outcome.result().route().forEach(route::add);
        o.put("failovers", outcome.result().failovers());
        return o;
    }

    // ---- prompt handling -----------------------------------------------------------------------------------

    private ServedModel model(String id) {
        ServedModel m = models.get(id);
        if (m == null) {
            throw ApiException.notFound("model_not_found", "the model '" + id + "' does not exist here; "
                    + "GET /v1/models lists the models served: " + String.join(", ", models.keySet()));
        }
        return m;
    }

    private static int[] promptTokens(ServedModel model, OpenAiRequest.Prompt prompt) {
        Tokenizer tok = model.tokenizer();
        int[] ids = switch (prompt) {
            case OpenAiRequest.Text t -> encode(tok, t.text(), false);
            case OpenAiRequest.Tokens t -> {
                for (int id : t.ids()) {
                    if (id >= model.info().vocabSize()) {
                        throw ApiException.badRequest("prompt", "token id " + id + " is outside the vocabulary of '"
                                + model.id() + "' (" + model.info().vocabSize() + " tokens)");
                    }
                }
                yield t.ids();
            }
            case OpenAiRequest.Chat c -> {
                List<ChatMessage> messages = new ArrayList<>();
                c.messages().forEach(m -> messages.add(new ChatMessage(m.role(), m.content())));
                try {
                    yield model.chatTemplate().apply(messages, true).encode(tok); // BOS included when wanted
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("messages", "the messages cannot be tokenized: " + e.getMessage());
                }
            }
        };
        if (tok.addBos() && tok.bos() >= 0 && (ids.length == 0 || ids[0] != tok.bos())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tok.bos();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            ids = withBos;
        }
        if (ids.length == 0) {
            throw ApiException.badRequest("prompt", "the prompt is empty and this model has no BOS token to start from");
        }
        return ids;
    }

    private static int[] encode(Tokenizer tok, String text, boolean parseSpecial) {
        try {
            return tok.encode(text, parseSpecial);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("prompt", "the prompt cannot be tokenized: " + e.getMessage());
        }
    }

    private static int maxTokens(ServedModel model, OpenAiRequest request, int promptLength) {
        int context = model.info().contextLength();
        if (promptLength >= context) {
            throw ApiException.badRequest("context_length_exceeded", "the prompt is " + promptLength
                    + " tokens but model '" + model.id() + "' has a context window of " + context
                    + " tokens (prompt + completion); shorten the prompt");
        }
        int room = context - promptLength;
        if (request.maxTokens().isPresent()) {
            int asked = request.maxTokens().get();
            if (asked > room) {
                throw ApiException.badRequest("context_length_exceeded", "model '" + model.id()
                        + "' has a context window of " + context + " tokens; the prompt uses " + promptLength
                        + ", so max_tokens can be at most " + room + " (got " + asked + ")");
            }
            return asked;
        }
        return request.chat() ? room : Math.min(DEFAULT_COMPLETION_TOKENS, room);
    }

    // ---- errors and helpers --------------------------------------------------------------------------------

    /** Maps the cluster's typed failures to HTTP statuses. */
    static ApiException toApiException(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api;
            case ContextOverflowException c -> ApiException.badRequest("context_length_exceeded", c.getMessage());
            case InvalidRequestException i -> ApiException.badRequest("invalid_request", i.getMessage());
            case UnknownModelException u -> ApiException.notFound("model_not_found", u.getMessage());
            case NoCapacityException n -> n.busy() ? ApiException.tooManyRequests(n.getMessage())
                    : ApiException.unavailable(n.getMessage());
            default -> new ApiException(500, "server_error", "internal_error",
                    "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        };
    }

    ObjectNode errorJson(ApiException e) {
        ObjectNode out = json.createObjectNode();
        out.putObject("error").put("message", e.getMessage()).put("type", e.type()).put("code", e.code());
        return out;
    }

    void sendJson(ServerResponse res, int status, Object body) {
        try {
            byte[] bytes = json.writeValueAsBytes(body);
            res.status(status);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a response: " + e.getMessage(), e);
        }
    }

    private String randomId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length()));
        }
        return new String(c);
    }
}
