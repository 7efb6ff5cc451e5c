package io.braid.model;

/**
 * A model file (GGUF, llama2.c checkpoint, ...) cannot be used: it is missing, truncated, corrupt or uses
 * something Braid does not support. The message is one user-facing line, {@code "<file>: <problem>"}.
 */
public final class ModelFormatException extends RuntimeException {

    private static final int MAX_PROBLEM_CHARS = 400;

    /** A problem with {@code file} (a {@link java.nio.file.Path} or a display name); the message becomes {@code "<file>: <problem>"}. */
    public ModelFormatException(Object file, String problem) {
        super(file + ": " + oneLine(problem));
    }

    /** As {@link #ModelFormatException(Object, String)}, keeping the low-level cause for debugging. */
    public ModelFormatException(Object file, String problem, Throwable cause) {
        super(file + ": " + oneLine(problem), cause);
    }

    /**
     * Makes untrusted text (names read from a corrupt file) safe for a one-line message: control characters
     * are escaped and very long text is cut, so a hostile file cannot flood or forge log lines.
     */
    public static String quote(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 80) + 2).append('\'');
        for (int i = 0; i < text.length(); i++) {
            if (sb.length() > 80) {
                sb.append("...");
                break;
            }
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    private static String oneLine(String problem) {
        String s = problem.replace('\n', ' ').replace('\r', ' ');
        return s.length() > MAX_PROBLEM_CHARS ? s.substring(0, MAX_PROBLEM_CHARS) + "..." : s;
    }
}
