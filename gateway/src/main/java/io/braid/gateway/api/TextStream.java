package io.braid.gateway.api;

import io.braid.model.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated token ids into text incrementally, exactly as the tokenizer decodes them one after another
 * (run.c's {@code decode(prev, token)}: a leading space is dropped right after BOS, byte pieces become bytes).
 * Bytes of a UTF-8 character split across tokens are held until the character is complete, so every piece of
 * text returned is valid. Not thread-safe: one per generation.
 */
final class TextStream {

    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private int prev;

    /** @param lastPromptToken the token just before the first generated one (decoding depends on it) */
    TextStream(Tokenizer tokenizer, int lastPromptToken) {
        this.tokenizer = tokenizer;
        this.prev = lastPromptToken;
    }

    /** Appends a generated token; returns the text that became complete (possibly empty). */
    String next(int token) {
        pending.writeBytes(tokenizer.decodeBytes(prev, token));
        prev = token;
        byte[] bytes = pending.toByteArray();
        int complete = completePrefix(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** The end of the generation: whatever is held (an incomplete character decodes to U+FFFD). */
    String finish() {
        String out = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return out;
    }

    /** Length of the longest prefix that does not end inside a UTF-8 multi-byte sequence. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        // A character is at most 4 bytes: look back at most 3 bytes for the lead byte of the last one.
        for (int back = 1; back <= Math.min(4, n); back++) {
            int v = b[n - back] & 0xFF;
            if ((v & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int need = v >= 0xF0 ? 4 : v >= 0xE0 ? 3 : v >= 0xC0 ? 2 : 1;
            return need > back && v >= 0xC0 && v < 0xF8 ? n - back : n;
        }
        return n;
    }
}
