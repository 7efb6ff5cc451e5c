package io.braid.model.chat;

import io.braid.model.gguf.GgufMetadata;
import io.braid.model.tokenizer.SentencePieceTokenizer;
import io.braid.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The chat formats Braid can render, chosen for a model by {@link #detect(GgufMetadata, Tokenizer)}. Each renders
 * the conversation and, with {@code addAssistant}, opens the assistant's turn for the model to complete. BOS is not
 * part of the rendering: {@link ChatPrompt#encode} adds it when the tokenizer asks for it.
 */
public enum ChatTemplate {
    /**
     * Llama 2 chat as Meta's reference code and the Hugging Face template write it:
     * {@code [INST] <<SYS>>\nsys\n<</SYS>>\n\nuser [/INST] answer </s><s>[INST] ...} (user and answer text stripped).
     */
    LLAMA2("</s>") {
        @Override
        void render(List<ChatMessage> messages, Builder b, boolean addAssistant) {
            boolean insideTurn = true;
            b.text("[INST] ");
            for (ChatMessage m : messages) {
                if (!insideTurn) {
                    insideTurn = true;
                    b.special("<s>").text("[INST] ");
                }
                switch (m.role()) {
                    case "system" -> b.text("<<SYS>>\n" + m.content() + "\n<</SYS>>\n\n");
                    case "user" -> b.text(m.content().strip() + " [/INST]");
                    default -> {
                        b.text(" " + m.content().strip() + " ").special("</s>");
                        insideTurn = false;
                    }
                }
            }
        }
    },
    /** Llama 3: {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}. */
    LLAMA3("<|eot_id|>") {
        @Override
        void render(List<ChatMessage> messages, Builder b, boolean addAssistant) {
            for (ChatMessage m : messages) {
                b.special("<|start_header_id|>").text(m.role()).special("<|end_header_id|>")
                        .text("\n\n" + m.content().strip()).special("<|eot_id|>");
            }
            if (addAssistant) {
                b.special("<|start_header_id|>").text("assistant").special("<|end_header_id|>").text("\n\n");
            }
        }
    },
    /** ChatML: {@code <|im_start|>role\ncontent<|im_end|>\n}. */
    CHATML("<|im_end|>") {
        @Override
        void render(List<ChatMessage> messages, Builder b, boolean addAssistant) {
            for (ChatMessage m : messages) {
                b.special("<|im_start|>").text(m.role() + "\n" + m.content()).special("<|im_end|>").text("\n");
            }
            if (addAssistant) {
                b.special("<|im_start|>").text("assistant\n");
            }
        }
    };

    private final String endOfTurn;

    ChatTemplate(String endOfTurn) {
        this.endOfTurn = endOfTurn;
    }

    abstract void render(List<ChatMessage> messages, Builder b, boolean addAssistant);

    /** The conversation as a prompt; with {@code addAssistant} the assistant's turn is opened for the model. */
    public ChatPrompt apply(List<ChatMessage> messages, boolean addAssistant) {
        Builder b = new Builder();
        render(messages, b, addAssistant);
        return new ChatPrompt(b.segments);
    }

    /** The text of the token that ends a model turn in this format. */
    public String endOfTurn() {
        return endOfTurn;
    }

    /** Ids that end generation for this format: the end-of-turn token (if in the vocabulary) and EOS. */
    public int[] stopTokens(Tokenizer tokenizer) {
        OptionalInt eot = tokenizer.id(endOfTurn);
        int eos = tokenizer.eos();
        List<Integer> ids = new ArrayList<>();
        eot.ifPresent(ids::add);
        if (eos >= 0 && !ids.contains(eos)) {
            ids.add(eos);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The format of a model: from its {@code tokenizer.chat_template} when that names or resembles a known format
     * (as llama.cpp's detection does), else from the vocabulary ({@code <|im_start|>} means ChatML,
     * {@code <|start_header_id|>}+{@code <|eot_id|>} means Llama 3), else Llama 2 for SentencePiece vocabularies
     * and ChatML otherwise.
     */
    public static ChatTemplate detect(GgufMetadata metadata, Tokenizer tokenizer) {
        if (metadata.contains("tokenizer.chat_template")) {
            Optional<ChatTemplate> t = fromTemplateText(metadata.getString("tokenizer.chat_template"));
            if (t.isPresent()) {
                return t.get();
            }
        }
        return forVocabulary(tokenizer);
    }

    /**
     * The format a Jinja chat template (or a template name such as "chatml", "llama2", "llama3") stands for, if it is
     * one of Braid's.
     */
    public static Optional<ChatTemplate> fromTemplateText(String template) {
        String name = template.strip().toLowerCase(Locale.ROOT);
        switch (name) {
            case "chatml" -> {
                return Optional.of(CHATML);
            }
            case "llama2", "llama-2", "llama2-sys" -> {
                return Optional.of(LLAMA2);
            }
            case "llama3", "llama-3" -> {
                return Optional.of(LLAMA3);
            }
            default -> { }
        }
        if (template.contains("<|im_start|>")) {
            return Optional.of(CHATML);
        }
        if (template.contains("<|start_header_id|>") && template.contains("<|end_header_id|>")) {
            return Optional.of(LLAMA3);
        }
        if (template.contains("[INST]")) {
            return Optional.of(LLAMA2);
        }
        return Optional.empty();
    }

    /** The format suggested by the vocabulary alone. */
    public static ChatTemplate forVocabulary(Tokenizer tokenizer) {
        if (tokenizer.id("<|im_start|>").isPresent()) {
            return CHATML;
        }
        if (tokenizer.id("<|eot_id|>").isPresent() && tokenizer.id("<|start_header_id|>").isPresent()) {
            return LLAMA3;
        }
        return tokenizer instanceof SentencePieceTokenizer ? LLAMA2 : CHATML;
    }

    /** Collects segments, merging adjacent text. */
    static final class Builder {
        private final List<ChatPrompt.Segment> segments = new ArrayList<>();

        Builder text(String s) {
            if (s.isEmpty()) {
                return this;
            }
            if (!segments.isEmpty() && segments.getLast() instanceof ChatPrompt.Text t) {
                segments.set(segments.size() - 1, new ChatPrompt.Text(t.text() + s));
            } else {
                segments.add(new ChatPrompt.Text(s));
            }
            return this;
        }

        Builder special(String token) {
            segments.add(new ChatPrompt.Special(token));
            return this;
        }
    }
}
