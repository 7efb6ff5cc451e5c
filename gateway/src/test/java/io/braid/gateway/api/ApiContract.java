package io.braid.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.braid.model.chat.ChatMessage;
import io.braid.model.chat.ChatTemplate;
import io.braid.model.gguf.GgufFile;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAI-compatible API's behaviour, checked over real HTTP against stories260K. Subclasses supply the
 * server: the engine in-process ({@link LocalApiTest}) and a real network of node processes (the e2e test).
 */
abstract class ApiContract {

    static final String MODEL = "stories260K";

    /** The client for the server under test. */
    abstract Http http();

    /** The API port (for the raw-socket disconnect test). */
    abstract int port();

    ObjectNode completion(String prompt, int maxTokens) {
        ObjectNode body = http().json().createObjectNode().put("model", MODEL).put("prompt", prompt)
                .put("max_tokens", maxTokens).put("temperature", 0);
        return body;
    }

    @Test
    void listsTheModel() {
        Http.Response r = http().get("/v1/models");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("object").asText()).isEqualTo("list");
        assertThat(r.body().path("data").path(0).path("id").asText()).isEqualTo(MODEL);
        assertThat(r.body().path("data").path(0).path("context_length").asInt()).isEqualTo(2048); // GGUF metadata
        assertThat(http().get("/v1/models/" + MODEL).status()).isEqualTo(200);
        assertError(http().get("/v1/models/nope"), 404, "model_not_found");
    }

    @Test
    void greedyCompletionsMatchTheReferenceTokenForToken() {
        for (Reference ref : List.of(Reference.load("once_upon_a_time", 64, "Once upon a time"),
                Reference.load("empty", 128, ""))) {
            int n = ref.generatedIds().length;
            Http.Response r = http().post("/v1/completions", completion(ref.prompt(), n));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            JsonNode body = r.body();
            assertThat(body.path("id").asText()).startsWith("cmpl-");
            assertThat(body.path("object").asText()).isEqualTo("text_completion");
            assertThat(body.path("choices").path(0).path("text").asText()).isEqualTo(ref.completion());
            assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
            assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(ref.promptIds().length);
            assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(n);
            assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(ref.promptIds().length + n);
            // Token for token: the same prompt as ids gives the same text and count.
            ObjectNode byIds = completion("", n);
            var ids = byIds.putArray("prompt");
            for (int id : ref.promptIds()) {
                ids.add(id);
            }
            Http.Response r2 = http().post("/v1/completions", byIds);
            assertThat(r2.body().path("choices").path(0).path("text").asText()).isEqualTo(ref.completion());
        }
    }

    @Test
    void streamingSendsTheSameTextAsEventsEndingInDone() {
        Reference ref = Reference.load("once_upon_a_time", 64, "Once upon a time");
        ObjectNode body = completion(ref.prompt(), ref.generatedIds().length).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        Http.Events ev = http().stream("/v1/completions", body.toString());
        assertThat(ev.status()).isEqualTo(200);
        assertThat(ev.contentType()).startsWith("text/event-stream");
        assertThat(ev.done()).isTrue();
        assertThat(ev.text(false)).isEqualTo(ref.completion());
        assertThat(ev.events().size()).isGreaterThan(10); // streamed piece by piece, not in one lump
        String id = ev.events().getFirst().path("id").asText();
        assertThat(id).startsWith("cmpl-");
        assertThat(ev.events()).allSatisfy(e -> assertThat(e.path("id").asText()).isEqualTo(id));
        JsonNode finish = ev.events().get(ev.events().size() - 2);
        assertThat(finish.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(ev.last().path("usage").path("completion_tokens").asInt()).isEqualTo(ref.generatedIds().length);
    }

    @Test
    void stopSequencesCutTheTextAndNeverStreamAPartialStop() {
        Reference ref = Reference.load("once_upon_a_time", 64, "Once upon a time");
        String full = ref.completion();
        String stop = " named Lily";
        String expected = full.substring(0, full.indexOf(stop));
        ObjectNode body = completion(ref.prompt(), 60);
        body.putArray("stop").add(stop).add("never-appears");
        Http.Response r = http().post("/v1/completions", body);
        assertThat(r.body().path("choices").path(0).path("text").asText()).isEqualTo(expected);
        assertThat(r.body().path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(r.body().path("usage").path("completion_tokens").asInt()).isLessThan(60);

        Http.Events ev = http().stream("/v1/completions", body.put("stream", true).toString());
        assertThat(ev.done()).isTrue();
        assertThat(ev.text(false)).isEqualTo(expected);
        StringBuilder seen = new StringBuilder();
        for (JsonNode e : ev.events()) {
            seen.append(e.path("choices").path(0).path("text").asText(""));
            assertThat(seen.toString()).doesNotEndWith(" named").doesNotEndWith(" name").doesNotContain(stop);
        }
        assertThat(ev.last().path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");

        // A single string works too.
        Http.Response single = http().post("/v1/completions", completion(ref.prompt(), 60).put("stop", ","));
        assertThat(single.body().path("choices").path(0).path("text").asText()).isEqualTo("");
    }

    @Test
    void chatCompletionsApplyTheModelsChatTemplate() {
        ObjectNode body = http().json().createObjectNode().put("model", MODEL).put("max_tokens", 30)
                .put("temperature", 0);
        body.putArray("messages").addObject().put("role", "user").put("content", "Tell me a story.");
        Http.Response r = http().post("/v1/chat/completions", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.body().path("id").asText()).startsWith("chatcmpl-");
        assertThat(r.body().path("object").asText()).isEqualTo("chat.completion");
        JsonNode message = r.body().path("choices").path(0).path("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");

        // The same tokens through /v1/completions give the same answer: the template is what made the prompt.
        int[] rendered = renderedChatPrompt(List.<String[]>of(new String[]{"user", "Tell me a story."}));
        assertThat(r.body().path("usage").path("prompt_tokens").asInt()).isEqualTo(rendered.length);
        ObjectNode raw = completion("", 30);
        var ids = raw.putArray("prompt");
        for (int id : rendered) {
            ids.add(id);
        }
        Http.Response plain = http().post("/v1/completions", raw);
        assertThat(message.path("content").asText())
                .isEqualTo(plain.body().path("choices").path(0).path("text").asText());

        Http.Events ev = http().stream("/v1/chat/completions", body.put("stream", true).toString());
        assertThat(ev.done()).isTrue();
        assertThat(ev.events().getFirst().path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(ev.events().getFirst().path("choices").path(0).path("delta").path("role").asText())
                .isEqualTo("assistant");
        assertThat(ev.text(true)).isEqualTo(message.path("content").asText());
    }

    /** The chat prompt's token ids, rendered with the model's own template (as the gateway should). */
    static int[] renderedChatPrompt(List<String[]> roleAndContent) {
        try (GgufFile f = GgufFile.open(Reference.stories())) {
            Tokenizer tok = Tokenizers.fromGguf(f.metadata());
            List<ChatMessage> messages = new ArrayList<>();
            roleAndContent.forEach(m -> messages.add(new ChatMessage(m[0], m[1])));
            return ChatTemplate.detect(f.metadata(), tok).apply(messages, true).encode(tok);
        }
    }

    @Test
    void badRequestsGetOpenAiErrorsAndLeaveTheServiceHealthy() {
        assertError(http().post("/v1/completions", "{\"model\": \"stories260K\", \"prompt\": "), 400, "invalid_json");
        assertError(http().post("/v1/completions", completion("hi", 5).put("model", "gpt-9")), 404,
                "model_not_found");
        assertError(http().post("/v1/completions", completion("hi", -1)), 400, "max_tokens");
        assertError(http().post("/v1/completions", completion("hi", 5).put("n", 2)), 400, "n");
        assertError(http().post("/v1/completions", http().json().createObjectNode().put("model", MODEL)), 400,
                "prompt");
        assertError(http().post("/v1/completions", completion("Once upon a time ".repeat(600), 5)), 400,
                "context_length_exceeded");
        assertError(http().post("/v1/completions", completion("hi", 2047)), 400, "context_length_exceeded");
        assertError(http().post("/v1/chat/completions", completion("hi", 5)), 400, "messages");
        assertError(http().post("/v1/nothing-here", "{}"), 404, "unknown_url");
        assertError(http().get("/v1/completions"), 405, "method_not_allowed");
        assertError(http().post("/v1/completions", completion("hi", 5).put("stream", true).put("n", 3)), 400, "n");

        Http.Response ok = http().post("/v1/completions", completion("Once upon a time", 8));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(http().get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void aClientThatDisconnectsMidStreamCancelsItsGeneration() throws Exception {
        double before = metric("braid_stream_disconnects_total");
        String body = completion("", 500).put("stream", true).toString();
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + http().authorizationLine() + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[256];
            while (!got.toString().contains("data: ")) {
                int n = in.read(buf);
                assertThat(n).as("stream ended before the first event").isPositive();
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                if (got.indexOf("\r\n\r\n") >= 0) {
                    assertThat(got.toString()).startsWith("HTTP/1.1 200");
                }
            }
            assertThat(got.toString()).startsWith("HTTP/1.1 200");
        } // closed with unread events: the server's next writes fail
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metric("braid_stream_disconnects_total") <= before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric("braid_stream_disconnects_total")).isGreaterThan(before);
        Http.Response ok = http().post("/v1/completions", completion("Once upon a time", 8));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(http().get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void sixteenConcurrentRequestsAllGetTheirOwnCorrectAnswer() throws Exception {
        String[] prompts = {"Once upon a time", "", "The dog", "Lily went", "Tom and Sue", "One day, a bird"};
        List<ObjectNode> bodies = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            bodies.add(completion(prompts[i % prompts.length], 12 + i));
        }
        // Each request alone first; then all at once must give exactly the same answers.
        List<String> serial = new ArrayList<>();
        for (ObjectNode b : bodies) {
            serial.add(http().post("/v1/completions", b).body().path("choices").path(0).path("text").asText());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (ObjectNode b : bodies) {
                futures.add(pool.submit(() -> http().post("/v1/completions", b)));
            }
            for (int i = 0; i < bodies.size(); i++) {
                Http.Response r = futures.get(i).get(180, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(r.body().path("choices").path(0).path("text").asText()).isEqualTo(serial.get(i));
                assertThat(r.body().path("usage").path("completion_tokens").asInt()).isLessThanOrEqualTo(12 + i);
            }
        }
    }

    @Test
    void seededSamplingIsReproducible() {
        ObjectNode body = completion("Once upon a time", 20).put("temperature", 1.0).put("top_p", 0.9)
                .put("seed", 1234);
        String a = http().post("/v1/completions", body).body().path("choices").path(0).path("text").asText();
        String b = http().post("/v1/completions", body).body().path("choices").path(0).path("text").asText();
        assertThat(a).isEqualTo(b).isNotEmpty();
    }

    @Test
    void healthAndMetricsAreServed() {
        http().post("/v1/completions", completion("Once", 4));
        Http.Response h = http().get("/healthz");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.body().path("status").asText()).isEqualTo("ok");
        Http.Response m = http().get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.raw()).contains("braid_http_requests_seconds_count{method=\"POST\",route=\"/v1/completions\"")
                .contains("braid_tokens_total{kind=\"completion\"}").contains("braid_nodes_up");
        Http.Response nodes = http().get("/v1/nodes");
        assertThat(nodes.status()).isEqualTo(200);
        assertThat(nodes.body().path("data").isArray()).isTrue();
    }

    static void assertError(Http.Response r, int status, String code) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode e = r.body().path("error");
        assertThat(e.path("message").asText()).isNotBlank();
        assertThat(e.path("type").asText()).isNotBlank();
        assertThat(e.path("code").asText()).isEqualTo(code);
    }

    double metric(String name) {
        String text = http().get("/metrics").raw();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
