package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.braid.gateway.inference.InferenceService;
import io.braid.gateway.inference.ModelInfo;
import io.braid.ledger.Billing;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's public HTTP server (Helidon SE, a virtual thread per request) serving {@link OpenAiApi}.
 * Every error, including unknown routes and failures inside handlers, leaves as OpenAI's error JSON.
 */
public final class GatewayHttpServer implements AutoCloseable {

    /** Completions served at once before new ones get 429. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    private final WebServer server;
    /** Held so the level sticks (JUL keeps loggers weakly): Helidon's INFO start-up chatter is not for users. */
    private final Logger helidonLog;

    private GatewayHttpServer(WebServer server, Logger helidonLog) {
        this.server = server;
        this.helidonLog = helidonLog;
    }

    /**
     * Starts serving on {@code host:port} (port 0 = any free port).
     *
     * @throws io.braid.model.ModelFormatException when a served model's tokenizer or chat template cannot be read
     */
    public static GatewayHttpServer start(InferenceService inference, String host, int port, int maxInFlight) {
        return start(inference, Optional.empty(), host, port, maxInFlight);
    }

    /**
     * As {@link #start(InferenceService, String, int, int)} with billing: every completion needs an API key of a
     * funded account, and receipts, prices and the ledger are served.
     */
    public static GatewayHttpServer start(InferenceService inference, Optional<Billing> billing, String host, int port,
                                          int maxInFlight) {
        List<ServedModel> models = new ArrayList<>();
        for (ModelInfo info : inference.models()) {
            models.add(ServedModel.load(info));
        }
        ObjectMapper json = new ObjectMapper();
        ApiMetrics metrics = new ApiMetrics(inference);
        Optional<Metering> metering = billing.map(b -> new Metering(b, json));
        OpenAiApi api = new OpenAiApi(inference, models, metering, metrics, json, maxInFlight);
        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter((chain, req, res) -> {
                    long start = System.nanoTime();
                    try {
                        chain.proceed();
                    } finally {
                        metrics.request(req.prologue().method().text(), routeOf(req.path().path()),
                                res.status().code(), Duration.ofNanos(System.nanoTime() - start));
                    }
                })
                .register(api)
                .register(metering.<HttpService>map(m -> new LedgerApi(m, json, api)).orElse(rules -> { }))
                .any((req, res) -> {
                    throw ApiException.notFound("unknown_url", "unknown route " + req.prologue().method().text()
                            + " " + req.path().path() + "; see docs/api.md for the endpoints");
                })
                .error(ApiException.class, (req, res, e) -> api.sendJson(res, e.status(), api.errorJson(e)))
                .error(RuntimeException.class, (req, res, e) -> {
                    ApiException mapped = OpenAiApi.toApiException(e);
                    api.sendJson(res, mapped.status(), api.errorJson(mapped));
                });
        checkFree(host, port);
        Logger helidonLog = Logger.getLogger("io.helidon");
        helidonLog.setLevel(Level.WARNING);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(8L << 20)
                .shutdownHook(false)
                .routing(routing)
                .build()
                .start();
        if (!server.isRunning() || server.port() < 0) {
            server.stop();
            throw new IllegalStateException("cannot serve HTTP on " + host + ":" + port);
        }
        return new GatewayHttpServer(server, helidonLog);
    }

    /** Helidon logs a bind failure instead of throwing: check first, so the caller gets a one-line reason. */
    private static void checkFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); is another gateway running? choose another port");
        }
    }

    /** The port actually bound. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** A bounded label for metrics: the route pattern, never a raw path with ids in it. */
    static String routeOf(String path) {
        return switch (path) {
            case "/v1/models", "/v1/completions", "/v1/chat/completions", "/v1/nodes", "/healthz", "/metrics",
                 "/v1/prices", "/v1/ledger/blocks" -> path;
            default -> {
                for (String prefix : List.of("/v1/models/", "/v1/receipts/", "/v1/ledger/blocks/",
                        "/v1/ledger/accounts/", "/v1/ledger/proof/")) {
                    if (path.startsWith(prefix)) {
                        yield prefix + "{id}";
                    }
                }
                yield "other";
            }
        };
    }

}
