package io.braid.model.chat;

/**
 * One message of a conversation.
 *
 * @param role    "system", "user" or "assistant" (other roles are passed through by templates that name roles)
 * @param content the message text
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("chat message role must not be empty");
        }
        if (content == null) {
            throw new IllegalArgumentException("chat message content must not be null (role " + role + ")");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
