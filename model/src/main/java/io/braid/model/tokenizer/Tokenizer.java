package io.braid.model.tokenizer;

import io.braid.model.ModelFormatException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Text to token ids and back, for one model's vocabulary. Instances are immutable and thread-safe.
 *
 * <p>Two families exist: {@link SentencePieceTokenizer} (GGUF {@code tokenizer.ggml.model = llama}, and llama2.c's
 * {@code tokenizer.bin}) and {@link ByteLevelBpeTokenizer} (GGUF {@code gpt2}: GPT-2, Llama 3, DeepSeek, Falcon,
 * StarCoder, ...). Build them with {@link Tokenizers}.
 *
 * <p>Text must be valid Unicode: a lone surrogate is rejected with an {@link IllegalArgumentException}.
 */
public sealed interface Tokenizer permits SentencePieceTokenizer, ByteLevelBpeTokenizer {

    /** Number of tokens in the vocabulary; ids are {@code 0 .. vocabSize()-1}. */
    int vocabSize();

    /** The beginning-of-sequence token id, or -1 if the vocabulary has none. */
    int bos();

    /** The end-of-sequence token id, or -1 if the vocabulary has none. */
    int eos();

    /** Whether a prompt for this model starts with {@link #bos()} (GGUF {@code tokenizer.ggml.add_bos_token}). */
    boolean addBos();

    /** The ids of {@code text}, without BOS/EOS; text that looks like a control token is tokenized as plain text. */
    default int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * The ids of {@code text}, without BOS/EOS. With {@code parseSpecial}, the text of control tokens (such as
     * {@code <|im_start|>}) becomes that token's id; user-defined tokens are always matched, as in llama.cpp.
     */
    int[] encode(String text, boolean parseSpecial);

    /** The vocabulary entry of {@code id} as the file stores it (SentencePiece: '▁' for space; byte-level: 'Ġ'). */
    String piece(int id);

    /** The type of token {@code id}. */
    TokenType type(int id);

    /** The id whose vocabulary entry is exactly {@code piece}. */
    OptionalInt id(String piece);

    /**
     * The bytes token {@code id} stands for when it follows {@code prevId}, exactly as llama2.c's
     * {@code decode(prev, token)}: for SentencePiece, the leading space of a piece is dropped right after BOS and a
     * {@code <0xXX>} piece is that one raw byte. Pass -1 as {@code prevId} when there is no previous token.
     */
    byte[] decodeBytes(int prevId, int id);

    /**
     * The bytes run.c's {@code safe_printf} writes for token {@code id} after {@code prevId}: {@link #decodeBytes}
     * cut at a NUL byte, and nothing at all when that is a single byte that is neither printable ASCII nor
     * whitespace (run.c drops such lone raw bytes). Use this to print generated text exactly as run.c does.
     */
    default byte[] printBytes(int prevId, int id) {
        byte[] b = decodeBytes(prevId, id);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        if (n == 1) {
            int c = b[0] & 0xff;
            boolean print = c >= 0x20 && c <= 0x7e;
            boolean space = c == ' ' || (c >= '\t' && c <= '\r');
            if (!print && !space) {
                return new byte[0];
            }
        }
        return n == b.length ? b : java.util.Arrays.copyOf(b, n);
    }

    /** The bytes of a whole id sequence (control tokens contribute nothing; the first piece follows BOS). */
    default byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = bos();
        for (int id : ids) {
            if (type(checkId(id)) != TokenType.CONTROL) {
                out.writeBytes(decodeBytes(prev, id));
            }
            prev = id;
        }
        return out.toByteArray();
    }

    /** The text of a whole id sequence (bytes that are not valid UTF-8 become U+FFFD). */
    default String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * Fails with a one-line {@link ModelFormatException} naming {@code fileName} unless this vocabulary has exactly
     * {@code modelVocabSize} tokens, i.e. the tokenizer belongs to the model.
     */
    default void checkMatches(int modelVocabSize, String fileName) {
        if (vocabSize() != modelVocabSize) {
            throw new ModelFormatException(fileName, "the tokenizer has " + vocabSize()
                    + " tokens but the model's vocabulary has " + modelVocabSize
                    + "; use the tokenizer that belongs to this model");
        }
    }

    /** {@code id} if it is a token id of this vocabulary, else an {@link IllegalArgumentException}. */
    default int checkId(int id) {
        if (id < 0 || id >= vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (vocabSize() - 1) + ")");
        }
        return id;
    }
}
