package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events on a response, in OpenAI's framing ({@code data: <json>\n\n}, then {@code data: [DONE]}).
 * The headers go out with the first event, so errors found before any output still get a proper status code.
 * Every event is flushed at once; a failed write means the client has gone ({@link ClientGoneException}).
 */
final class SseStream {

    /** The client closed the connection; the generation behind the stream should stop. */
    static final class ClientGoneException extends RuntimeException {
        ClientGoneException(IOException cause) {
            super("client disconnected", cause);
        }
    }

    private final ServerResponse response;
    private final ObjectMapper json;
    private OutputStream out;

    SseStream(ServerResponse response, ObjectMapper json) {
        this.response = response;
        this.json = json;
    }

    boolean started() {
        return out != null;
    }

    void event(Object payload) {
        try {
            write("data: " + json.writeValueAsString(payload) + "\n\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an event: " + e.getMessage(), e);
        }
    }

    /** Ends the stream with OpenAI's terminator and closes the response. */
    void done() {
        write("data: [DONE]\n\n");
        close();
    }

    void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException | UncheckedIOException e) {
                // the client is gone already; nothing left to tell it
            }
        }
    }

    private void write(String s) {
        try {
            if (out == null) {
                response.status(200);
                response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.header(HeaderNames.CACHE_CONTROL, "no-cache");
                response.header("X-Accel-Buffering", "no");
                out = response.outputStream();
            }
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGoneException(e);
        } catch (RuntimeException e) {
            // Helidon reports a dead connection with its own unchecked types (ServerConnectionException, ...).
            throw new ClientGoneException(new IOException(e.getMessage(), e));
        }
    }
}
