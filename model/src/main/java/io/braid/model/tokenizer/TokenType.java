package io.braid.model.tokenizer;

/**
 * What a vocabulary entry is, as GGUF's {@code tokenizer.ggml.token_type} records it (ids 1..6 as in llama.cpp).
 * The type decides how a token is encoded (control tokens only when special tokens are parsed, user-defined ones
 * always) and decoded (byte tokens become their byte, control tokens print nothing in text).
 */
public enum TokenType {
    NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    /** The type for a GGUF token_type value; values outside 1..6 (llama.cpp's "undefined") read as NORMAL. */
    public static TokenType ofGgufId(int id) {
        return switch (id) {
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> NORMAL;
        };
    }

    /** The GGUF token_type value of this type. */
    public int ggufId() {
        return ordinal() + 1;
    }
}
