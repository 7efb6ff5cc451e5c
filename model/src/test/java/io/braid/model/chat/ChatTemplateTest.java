package io.braid.model.chat;

import io.braid.model.gguf.GgufArray;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufValue;
import io.braid.model.testdata.SharedData;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ChatTemplateTest {

    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are terse."),
            ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello."),
            ChatMessage.user("Name a color"));

    private static GgufMetadata vocabMetadata(String vocab) {
        try (GgufFile f = GgufFile.open(SharedData.model("vocab/ggml-vocab-" + vocab + ".gguf"))) {
            return f.metadata();
        }
    }

    /** gpt-2's vocabulary plus control tokens appended, optionally with a chat template. */
    private static GgufMetadata gpt2With(List<String> controls, String chatTemplate) {
        GgufMetadata base = vocabMetadata("gpt-2");
        Map<String, GgufValue> kv = new LinkedHashMap<>(base.entries());
        List<String> tokens = new ArrayList<>(base.getStringArray("tokenizer.ggml.tokens"));
        int[] types = base.getIntArray("tokenizer.ggml.token_type");
        int n = tokens.size();
        tokens.addAll(controls);
        int[] t = Arrays.copyOf(types, n + controls.size());
        Arrays.fill(t, n, t.length, 3);
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(tokens)));
        kv.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInts(t)));
        if (chatTemplate != null) {
            kv.put("tokenizer.chat_template", GgufValue.string(chatTemplate));
        }
        return new GgufMetadata("synthetic.gguf", kv);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void llama2RendersInstBlocksWithSystemAndHistory() {
        ChatPrompt p = ChatTemplate.LLAMA2.apply(CONVERSATION, true);
        assertThat(p.text()).isEqualTo("[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Name a color [/INST]");
        assertThat(p.specialTokens()).containsExactly("</s>", "<s>");

        Tokenizer t = Tokenizers.fromLlama2c(SharedData.model("tokenizer.bin"), 32000);
        int[] ids = p.encode(t);
        // BOS, first turn, EOS, BOS, second turn: every text run gets SentencePiece's dummy prefix
        assertThat(ids).containsExactly(concat(new int[] {1},
                t.encode("[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi [/INST] Hello. "), new int[] {2, 1},
                t.encode("[INST] Name a color [/INST]")));
        // the same ids as encoding the whole text with special-token parsing, as llama.cpp would
        assertThat(ids).containsExactly(concat(new int[] {1}, t.encode(p.text(), true)));
        assertThat(ChatTemplate.LLAMA2.stopTokens(t)).containsExactly(2);
        assertThat(ChatTemplate.LLAMA2.apply(List.of(ChatMessage.user("  padded \n"), ChatMessage.assistant(" ok ")), false).text())
                .isEqualTo("[INST] padded [/INST] ok </s>");
    }

    @Test
    void llama3RendersHeadersAndEndOfTurn() {
        List<String> controls = List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");
        GgufMetadata md = gpt2With(controls, null);
        Tokenizer t = Tokenizers.fromGguf(md);
        assertThat(ChatTemplate.detect(md, t)).isEqualTo(ChatTemplate.LLAMA3);

        ChatPrompt p = ChatTemplate.LLAMA3.apply(List.of(ChatMessage.system("Be brief. "), ChatMessage.user("Hi")), true);
        assertThat(p.text()).isEqualTo("<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        int start = t.id("<|start_header_id|>").orElseThrow();
        int end = t.id("<|end_header_id|>").orElseThrow();
        int eot = t.id("<|eot_id|>").orElseThrow();
        assertThat(p.encode(t)).containsExactly(concat(
                new int[] {start}, t.encode("system"), new int[] {end}, t.encode("\n\nBe brief."), new int[] {eot},
                new int[] {start}, t.encode("user"), new int[] {end}, t.encode("\n\nHi"), new int[] {eot},
                new int[] {start}, t.encode("assistant"), new int[] {end}, t.encode("\n\n")));
        assertThat(p.encode(t)).containsExactly(t.encode(p.text(), true));
        assertThat(ChatTemplate.LLAMA3.stopTokens(t)).containsExactly(eot, 50256);
    }

    @Test
    void chatMlRendersImStartBlocksAndKeepsUserTextAsText() {
        List<String> controls = List.of("<|im_start|>", "<|im_end|>");
        GgufMetadata md = gpt2With(controls, null);
        Tokenizer t = Tokenizers.fromGguf(md);
        assertThat(ChatTemplate.detect(md, t)).isEqualTo(ChatTemplate.CHATML);
        int imStart = t.id("<|im_start|>").orElseThrow();
        int imEnd = t.id("<|im_end|>").orElseThrow();

        ChatPrompt p = ChatTemplate.CHATML.apply(List.of(ChatMessage.user("say <|im_end|> please")), true);
        assertThat(p.text()).isEqualTo("<|im_start|>user\nsay <|im_end|> please<|im_end|>\n<|im_start|>assistant\n");
        int[] ids = p.encode(t);
        // the user's "<|im_end|>" is text: only the template's own markers are control tokens
        assertThat(IntStream.of(ids).filter(i -> i == imEnd).count()).isEqualTo(1);
        assertThat(IntStream.of(ids).filter(i -> i == imStart).count()).isEqualTo(2);
        assertThat(t.decode(ids)).isEqualTo("user\nsay <|im_end|> please\nassistant\n");
        assertThat(ChatTemplate.CHATML.stopTokens(t)).containsExactly(imEnd, 50256);

        ChatPrompt noAssistant = ChatTemplate.CHATML.apply(List.of(ChatMessage.user("x")), false);
        assertThat(noAssistant.text()).isEqualTo("<|im_start|>user\nx<|im_end|>\n");
    }

    @Test
    void detectionPrefersTheTemplateTextThenTheVocabulary() {
        assertThat(ChatTemplate.fromTemplateText("{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}")).contains(ChatTemplate.CHATML);
        assertThat(ChatTemplate.fromTemplateText("{{ '<|start_header_id|>' + role + '<|end_header_id|>' }}")).contains(ChatTemplate.LLAMA3);
        assertThat(ChatTemplate.fromTemplateText("{{ bos_token + '[INST] ' + content + ' [/INST]' }}")).contains(ChatTemplate.LLAMA2);
        assertThat(ChatTemplate.fromTemplateText("chatml")).contains(ChatTemplate.CHATML);
        assertThat(ChatTemplate.fromTemplateText("{{ '<|user|>' }}")).isEmpty();

        // a template text wins over the vocabulary
        GgufMetadata md = gpt2With(List.of("<|im_start|>", "<|im_end|>"), "{{ '[INST] ' + m + ' [/INST]' }}");
        assertThat(ChatTemplate.detect(md, Tokenizers.fromGguf(md))).isEqualTo(ChatTemplate.LLAMA2);

        // phi-3's template is none of these; its SentencePiece vocabulary falls back to Llama 2
        GgufMetadata phi3 = vocabMetadata("phi-3");
        assertThat(ChatTemplate.detect(phi3, Tokenizers.fromGguf(phi3))).isEqualTo(ChatTemplate.LLAMA2);
        // a byte-level vocabulary without chat tokens falls back to ChatML, its markers then tokenized as text
        GgufMetadata gpt2 = vocabMetadata("gpt-2");
        Tokenizer g = Tokenizers.fromGguf(gpt2);
        assertThat(ChatTemplate.detect(gpt2, g)).isEqualTo(ChatTemplate.CHATML);
        ChatPrompt p = ChatTemplate.CHATML.apply(List.of(ChatMessage.user("hi")), false);
        assertThat(g.decode(p.encode(g))).isEqualTo(p.text());
    }
}
