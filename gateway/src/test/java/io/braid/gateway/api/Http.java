package io.braid.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A small JSON/SSE client over java.net.http for the API tests (loopback only, bounded timeouts). */
final class Http {

    record Response(int status, JsonNode body, String raw, String contentType) {
    }

    /** A parsed event stream: the data payloads before {@code [DONE]}, and whether {@code [DONE]} came. */
    record Events(int status, List<JsonNode> events, boolean done, String contentType) {
        String text(boolean chat) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : events) {
                JsonNode c = e.path("choices").path(0);
                sb.append(chat ? c.path("delta").path("content").asText("") : c.path("text").asText(""));
            }
            return sb.toString();
        }

        JsonNode last() {
            return events.getLast();
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final String base;
    private String apiKey;

    Http(String base) {
        this.base = base;
    }

    Http withKey(String key) {
        Http h = new Http(base);
        h.apiKey = key;
        return h;
    }

    /** The raw header line for requests written by hand ("" without a key). */
    String authorizationLine() {
        return apiKey == null ? "" : "Authorization: Bearer " + apiKey + "\r\n";
    }

    ObjectMapper json() {
        return json;
    }

    Response get(String path) {
        return send(builder(path).GET().build());
    }

    Response post(String path, String body) {
        return send(builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Response post(String path, Object body) {
        try {
            return post(path, json.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** POSTs a streaming request (no Accept header, like plain curl) and reads events until [DONE] or the end. */
    Events stream(String path, String body) {
        HttpRequest req = builder(path).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<Stream<String>> res = client.send(req, HttpResponse.BodyHandlers.ofLines());
            List<JsonNode> events = new ArrayList<>();
            boolean done = false;
            try (Stream<String> lines = res.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    events.add(json.readTree(data));
                }
            }
            return new Events(res.statusCode(), events, done, res.headers().firstValue("content-type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private Response send(HttpRequest req) {
        try {
            HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            String ct = res.headers().firstValue("content-type").orElse("");
            if (ct.startsWith("application/json")) {
                body = json.readTree(res.body());
            }
            return new Response(res.statusCode(), body, res.body(), ct);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
