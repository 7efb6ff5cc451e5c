package io.braid.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Turns a request body into a {@link OpenAiRequest}, or a 400 naming the offending parameter. */
final class RequestParser {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "developer");
    private static final int MAX_STOPS = 4;

    private final ObjectMapper json;

    RequestParser(ObjectMapper json) {
        this.json = json;
    }

    /** Parses the raw body of a request to {@code /v1/completions} ({@code chat = false}) or chat completions. */
    OpenAiRequest parse(byte[] body, boolean chat) {
        JsonNode root = readObject(body);
        String model = requiredString(root, "model");
        OpenAiRequest.Prompt prompt = chat ? messages(root) : prompt(root);
        Optional<Integer> maxTokens = optionalInt(root, chat && root.hasNonNull("max_completion_tokens")
                ? "max_completion_tokens" : "max_tokens");
        if (maxTokens.isPresent() && maxTokens.get() < 0) {
            throw ApiException.badRequest("max_tokens",
                    "max_tokens must be a non-negative integer, got " + maxTokens.get());
        }
        float temperature = optionalNumber(root, "temperature").orElse(1.0f);
        if (!(temperature >= 0 && temperature <= 2)) {
            throw ApiException.badRequest("temperature", "temperature must be between 0 and 2, got " + temperature);
        }
        float topP = optionalNumber(root, "top_p").orElse(1.0f);
        if (!(topP > 0 && topP <= 1)) {
            throw ApiException.badRequest("top_p", "top_p must be greater than 0 and at most 1, got " + topP);
        }
        Optional<Long> seed = optionalLong(root, "seed");
        int n = optionalInt(root, "n").orElse(1);
        if (n != 1) {
            throw ApiException.badRequest("n", "only n=1 is supported, got n=" + n
                    + "; send separate requests for more choices");
        }
        List<String> stop = stops(root);
        boolean stream = optionalBoolean(root, "stream").orElse(false);
        boolean streamUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiException.badRequest("stream_options", "stream_options must be an object");
            }
            streamUsage = optionalBoolean(options, "include_usage").orElse(false);
        }
        return new OpenAiRequest(model, prompt, maxTokens, temperature, topP, seed, stop, stream, streamUsage);
    }

    private JsonNode readObject(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("invalid_json", "the request body is empty; send a JSON object");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json",
                    "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("invalid_json", "the request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
        }
        return root;
    }

    private static OpenAiRequest.Prompt prompt(JsonNode root) {
        JsonNode p = root.get("prompt");
        if (p == null || p.isNull()) {
            throw ApiException.badRequest("prompt", "missing required parameter 'prompt'");
        }
        if (p.isTextual()) {
            return new OpenAiRequest.Text(p.textValue());
        }
        if (p.isArray()) {
            if (p.isEmpty()) {
                throw ApiException.badRequest("prompt", "prompt must not be an empty array");
            }
            if (p.size() == 1 && p.get(0).isTextual()) {
                return new OpenAiRequest.Text(p.get(0).textValue());
            }
            if (p.get(0).isArray() || p.get(0).isTextual()) {
                throw ApiException.badRequest("prompt",
                        "only one prompt per request is supported; send separate requests");
            }
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode t = p.get(i);
                if (!t.isInt() || t.intValue() < 0) {
                    throw ApiException.badRequest("prompt",
                            "prompt must be a string or an array of non-negative token ids; element " + i
                                    + " is " + t);
                }
                ids[i] = t.intValue();
            }
            return new OpenAiRequest.Tokens(ids);
        }
        throw ApiException.badRequest("prompt", "prompt must be a string or an array of token ids, got " + p);
    }

    private static OpenAiRequest.Chat messages(JsonNode root) {
        JsonNode m = root.get("messages");
        if (m == null || m.isNull()) {
            throw ApiException.badRequest("messages", "missing required parameter 'messages'");
        }
        if (!m.isArray() || m.isEmpty()) {
            throw ApiException.badRequest("messages", "messages must be a non-empty array of {role, content}");
        }
        List<OpenAiRequest.Message> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            JsonNode msg = m.get(i);
            if (!msg.isObject()) {
                throw ApiException.badRequest("messages", "messages[" + i + "] must be an object");
            }
            JsonNode role = msg.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw ApiException.badRequest("messages", "messages[" + i + "].role must be one of " + ROLES
                        + ", got " + role);
            }
            out.add(new OpenAiRequest.Message(role.textValue(), content(msg.get("content"), i)));
        }
        return new OpenAiRequest.Chat(out);
    }

    /** Content is a string or OpenAI's array of parts, of which only text parts are meaningful here. */
    private static String content(JsonNode c, int i) {
        if (c == null || c.isNull()) {
            throw ApiException.badRequest("messages", "messages[" + i + "].content is missing");
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                JsonNode type = part.get("type");
                JsonNode text = part.get("text");
                if (type == null || !"text".equals(type.asText()) || text == null || !text.isTextual()) {
                    throw ApiException.badRequest("messages", "messages[" + i
                            + "].content parts must be {\"type\":\"text\",\"text\":...}; this model reads text only");
                }
                sb.append(text.textValue());
            }
            return sb.toString();
        }
        throw ApiException.badRequest("messages", "messages[" + i + "].content must be a string");
    }

    private static List<String> stops(JsonNode root) {
        JsonNode s = root.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.textValue());
        } else if (s.isArray()) {
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw ApiException.badRequest("stop", "stop must be a string or an array of strings, got " + s);
                }
                out.add(e.textValue());
            }
        } else {
            throw ApiException.badRequest("stop", "stop must be a string or an array of strings, got " + s);
        }
        if (out.size() > MAX_STOPS) {
            throw ApiException.badRequest("stop", "at most " + MAX_STOPS + " stop sequences are allowed, got "
                    + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badRequest("stop", "stop sequences must not be empty strings");
        }
        return out;
    }

    private static String requiredString(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(name, "missing required parameter '" + name + "'");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(name, name + " must be a string, got " + v);
        }
        return v.textValue();
    }

    private static Optional<Integer> optionalInt(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest(name, name + " must be an integer, got " + v);
        }
        return Optional.of(v.intValue());
    }

    private static Optional<Long> optionalLong(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest(name, name + " must be an integer, got " + v);
        }
        return Optional.of(v.longValue());
    }

    private static Optional<Float> optionalNumber(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(name, name + " must be a number, got " + v);
        }
        return Optional.of((float) v.doubleValue());
    }

    private static Optional<Boolean> optionalBoolean(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(name, name + " must be true or false, got " + v);
        }
        return Optional.of(v.booleanValue());
    }
}
