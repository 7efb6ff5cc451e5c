package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(new ObjectMapper());

    private OpenAiRequest parse(String body, boolean chat) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8), chat);
    }

    private void rejects(String body, boolean chat, String code, String messagePart) {
        assertThatThrownBy(() -> parse(body, chat))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.type()).isEqualTo("invalid_request_error");
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    @Test
    void parsesACompletionWithEveryOption() {
        OpenAiRequest r = parse("""
                {"model":"m","prompt":"Once","max_tokens":5,"temperature":0,"top_p":0.5,"seed":42,
                 "stop":["a","b"],"stream":true,"n":1,"stream_options":{"include_usage":true}}""", false);
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.prompt()).isEqualTo(new OpenAiRequest.Text("Once"));
        assertThat(r.maxTokens()).contains(5);
        assertThat(r.temperature()).isZero();
        assertThat(r.topP()).isEqualTo(0.5f);
        assertThat(r.seed()).contains(42L);
        assertThat(r.stop()).containsExactly("a", "b");
        assertThat(r.stream()).isTrue();
        assertThat(r.streamUsage()).isTrue();
        assertThat(r.chat()).isFalse();
    }

    @Test
    void defaultsFollowOpenAi() {
        OpenAiRequest r = parse("{\"model\":\"m\",\"prompt\":\"x\",\"stop\":\"\\n\"}", false);
        assertThat(r.maxTokens()).isEmpty();
        assertThat(r.temperature()).isEqualTo(1f);
        assertThat(r.topP()).isEqualTo(1f);
        assertThat(r.seed()).isEmpty();
        assertThat(r.stop()).containsExactly("\n");
        assertThat(r.stream()).isFalse();
    }

    @Test
    void promptMayBeTokenIdsOrASingletonArray() {
        assertThat(((OpenAiRequest.Tokens) parse("{\"model\":\"m\",\"prompt\":[1,403]}", false).prompt()).ids())
                .containsExactly(1, 403);
        assertThat(parse("{\"model\":\"m\",\"prompt\":[\"hi\"]}", false).prompt())
                .isEqualTo(new OpenAiRequest.Text("hi"));
    }

    @Test
    void parsesChatMessages() {
        OpenAiRequest r = parse("""
                {"model":"m","messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}],
                 "max_completion_tokens":7}""", true);
        assertThat(r.prompt()).isEqualTo(new OpenAiRequest.Chat(List.of(
                new OpenAiRequest.Message("system", "be brief"), new OpenAiRequest.Message("user", "hi there"))));
        assertThat(r.maxTokens()).contains(7);
        assertThat(r.chat()).isTrue();
    }

    @Test
    void rejectsMalformedJson() {
        rejects("{\"model\": \"m\", \"prompt\": ", false, "invalid_json", "not valid JSON");
        rejects("", false, "invalid_json", "empty");
        rejects("[1,2]", false, "invalid_json", "JSON object");
    }

    @Test
    void rejectsMissingFields() {
        rejects("{\"prompt\":\"x\"}", false, "model", "missing required parameter 'model'");
        rejects("{\"model\":\"m\"}", false, "prompt", "missing required parameter 'prompt'");
        rejects("{\"model\":\"m\"}", true, "messages", "missing required parameter 'messages'");
        rejects("{\"model\":\"m\",\"messages\":[]}", true, "messages", "non-empty");
        rejects("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", true, "messages", "role");
        rejects("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", true, "messages", "content is missing");
    }

    @Test
    void rejectsOutOfRangeParameters() {
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":-1}", false, "max_tokens", "non-negative");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":1.5}", false, "max_tokens", "integer");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"n\":2}", false, "n", "only n=1");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"temperature\":3}", false, "temperature", "between 0 and 2");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"temperature\":\"hot\"}", false, "temperature", "number");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"top_p\":0}", false, "top_p", "greater than 0");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"seed\":\"s\"}", false, "seed", "integer");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"stream\":\"yes\"}", false, "stream", "true or false");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", false, "stop", "at most 4");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"stop\":[\"\"]}", false, "stop", "empty");
        rejects("{\"model\":\"m\",\"prompt\":\"x\",\"stop\":5}", false, "stop", "string or an array");
        rejects("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", false, "prompt", "one prompt");
        rejects("{\"model\":\"m\",\"prompt\":[1,-2]}", false, "prompt", "non-negative token ids");
        rejects("{\"model\":7,\"prompt\":\"x\"}", false, "model", "must be a string");
    }
}
