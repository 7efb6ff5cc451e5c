package io.braid.model.tokenizer;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufMetadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Builds the {@link Tokenizer} a model file describes. */
public final class Tokenizers {

    /** Values of {@code tokenizer.ggml.model} Braid can tokenize. */
    public static final List<String> SUPPORTED_MODELS = List.of("llama", "gpt2");

    private Tokenizers() {
    }

    /**
     * The tokenizer in a GGUF file's metadata, chosen by {@code tokenizer.ggml.model}: {@code llama} gives a
     * {@link SentencePieceTokenizer} with llama.cpp's encoding, {@code gpt2} a {@link ByteLevelBpeTokenizer} with the
     * pre-tokenizer named by {@code tokenizer.ggml.pre}.
     *
     * @throws ModelFormatException (one line, naming the file) if the metadata is missing, inconsistent or of an
     *                              unsupported tokenizer type
     */
    public static Tokenizer fromGguf(GgufMetadata md) {
        Object src = md.source();
        if (!md.contains("tokenizer.ggml.model")) {
            throw new ModelFormatException(src, "no tokenizer in this file (metadata key 'tokenizer.ggml.model' is missing)");
        }
        String model = md.getString("tokenizer.ggml.model");
        List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
        int n = tokens.size();
        if (n == 0) {
            throw new ModelFormatException(src, "the tokenizer vocabulary 'tokenizer.ggml.tokens' is empty");
        }
        TokenType[] types = new TokenType[n];
        if (md.contains("tokenizer.ggml.token_type")) {
            int[] t = md.getIntArray("tokenizer.ggml.token_type");
            requireLength(src, "tokenizer.ggml.token_type", t.length, n);
            for (int i = 0; i < n; i++) {
                types[i] = TokenType.ofGgufId(t[i]);
            }
        } else {
            java.util.Arrays.fill(types, TokenType.NORMAL);
        }
        return switch (model) {
            case "llama" -> {
                float[] scores = md.contains("tokenizer.ggml.scores") ? md.getFloatArray("tokenizer.ggml.scores") : new float[n];
                requireLength(src, "tokenizer.ggml.scores", scores.length, n);
                byte[][] raw = new byte[n][];
                String[] texts = new String[n];
                for (int i = 0; i < n; i++) {
                    texts[i] = tokens.get(i);
                    raw[i] = texts[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                yield new SentencePieceTokenizer(raw, scores, types, texts,
                        tokenId(md, src, "tokenizer.ggml.bos_token_id", 1, n),
                        tokenId(md, src, "tokenizer.ggml.eos_token_id", 2, n),
                        tokenId(md, src, "tokenizer.ggml.unknown_token_id", 0, n),
                        md.getBoolean("tokenizer.ggml.add_bos_token", true),
                        md.getBoolean("tokenizer.ggml.add_space_prefix", true),
                        SentencePieceTokenizer.Flavor.LLAMA_CPP);
            }
            case "gpt2" -> {
                if (!md.contains("tokenizer.ggml.merges")) {
                    throw new ModelFormatException(src, "byte-level BPE tokenizer without merges (metadata key 'tokenizer.ggml.merges' is missing)");
                }
                List<String> merges = md.getStringArray("tokenizer.ggml.merges");
                String preName = md.getString("tokenizer.ggml.pre", "default");
                BpePreTokenizer pre = BpePreTokenizer.byName(preName).orElseThrow(() -> new ModelFormatException(src,
                        "unsupported pre-tokenizer tokenizer.ggml.pre = " + ModelFormatException.quote(preName)
                                + "; supported: " + BpePreTokenizer.supportedNames()));
                String[] pieces = tokens.toArray(String[]::new);
                yield new ByteLevelBpeTokenizer(pieces, types, merges, pre,
                        tokenId(md, src, "tokenizer.ggml.bos_token_id", -1, n),
                        tokenId(md, src, "tokenizer.ggml.eos_token_id", -1, n),
                        md.getBoolean("tokenizer.ggml.add_bos_token", false));
            }
            default -> throw new ModelFormatException(src, "unsupported tokenizer type tokenizer.ggml.model = "
                    + ModelFormatException.quote(model) + "; supported: " + String.join(", ", SUPPORTED_MODELS));
        };
    }

    /**
     * The tokenizer of a llama2.c {@code tokenizer.bin} (int32 max_token_length, then per token: float32 score,
     * int32 length, bytes), reading exactly {@code vocabSize} tokens as run.c does, with run.c's encoding
     * ({@link SentencePieceTokenizer.Flavor#RUN_C}). BOS is 1, EOS is 2, and a prompt starts with BOS.
     *
     * @throws ModelFormatException naming the file if it is missing, unreadable, truncated or corrupt
     */
    public static SentencePieceTokenizer fromLlama2c(Path tokenizerBin, int vocabSize) {
        if (vocabSize <= 0) {
            throw new ModelFormatException(tokenizerBin, "vocabulary size must be positive, got " + vocabSize);
        }
        byte[] data;
        try {
            data = Files.readAllBytes(tokenizerBin);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(tokenizerBin, "tokenizer file not found (pass the llama2.c tokenizer.bin with --tokenizer)");
        } catch (IOException | OutOfMemoryError e) {
            throw new ModelFormatException(tokenizerBin, "cannot read tokenizer file: " + e.getMessage(), e);
        }
        return llama2c(tokenizerBin, data, vocabSize);
    }

    /** {@link #fromLlama2c} over the bytes of a tokenizer file; {@code source} names it in errors. */
    static SentencePieceTokenizer llama2c(Object tokenizerBin, byte[] data, int vocabSize) {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 4) {
            throw new ModelFormatException(tokenizerBin, "not a llama2.c tokenizer: " + data.length + " bytes, too short for its header");
        }
        int maxLen = buf.getInt();
        if (maxLen <= 0 || maxLen > 1 << 20) {
            throw new ModelFormatException(tokenizerBin, "not a llama2.c tokenizer: max_token_length " + maxLen + " is out of range");
        }
        byte[][] raw = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        TokenType[] types = new TokenType[vocabSize];
        String[] texts = new String[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            if (buf.remaining() < 8) {
                throw truncated(tokenizerBin, i, vocabSize);
            }
            scores[i] = buf.getFloat();
            int len = buf.getInt();
            if (len < 0 || len > maxLen) {
                throw new ModelFormatException(tokenizerBin, "corrupt tokenizer: token " + i + " has length " + len
                        + " (max_token_length is " + maxLen + ")");
            }
            if (buf.remaining() < len) {
                throw truncated(tokenizerBin, i, vocabSize);
            }
            raw[i] = new byte[len];
            buf.get(raw[i]);
            String text = new String(raw[i], java.nio.charset.StandardCharsets.UTF_8);
            types[i] = i == 0 ? TokenType.UNKNOWN : i <= 2 ? TokenType.CONTROL
                    : text.matches("<0x[0-9A-F]{2}>") ? TokenType.BYTE : TokenType.NORMAL;
            // llama2.c's export writes BOS/EOS as "\n<s>\n" and "\n</s>\n"; in input they are "<s>" and "</s>"
            texts[i] = types[i] == TokenType.CONTROL ? text.strip() : text;
        }
        if (buf.hasRemaining()) {
            // run.c would silently read a prefix of a bigger vocabulary: that tokenizer belongs to another model
            int total = vocabSize;
            while (buf.remaining() >= 8) {
                buf.getFloat();
                int len = buf.getInt();
                if (len < 0 || len > buf.remaining()) {
                    break;
                }
                buf.position(buf.position() + len);
                total++;
            }
            throw new ModelFormatException(tokenizerBin, "the tokenizer has " + (total > vocabSize ? total + " tokens" : "data after token " + vocabSize)
                    + " but the model's vocabulary has " + vocabSize + " tokens; use the tokenizer.bin that belongs to this model");
        }
        return new SentencePieceTokenizer(raw, scores, types, texts, 1 < vocabSize ? 1 : -1, 2 < vocabSize ? 2 : -1,
                0, true, true, SentencePieceTokenizer.Flavor.RUN_C);
    }

    private static ModelFormatException truncated(Object file, int token, int vocabSize) {
        return new ModelFormatException(file, "tokenizer ends at token " + token + " but the model's vocabulary has "
                + vocabSize + " tokens; use the tokenizer.bin that belongs to this model");
    }

    private static void requireLength(Object src, String key, int actual, int expected) {
        if (actual != expected) {
            throw new ModelFormatException(src, "metadata '" + key + "' has " + actual + " entries but the vocabulary has "
                    + expected + " tokens");
        }
    }

    private static int tokenId(GgufMetadata md, Object src, String key, int fallback, int n) {
        if (!md.contains(key)) {
            return fallback < n ? fallback : -1;
        }
        int id = md.getInt(key);
        if (id == -1) {
            return -1;   // llama.cpp writes 0xFFFFFFFF for "none"
        }
        if (id < 0 || id >= n) {
            throw new ModelFormatException(src, "metadata '" + key + "' = " + Integer.toUnsignedString(id)
                    + " is not a token id (the vocabulary has " + n + " tokens)");
        }
        return id;
    }
}
