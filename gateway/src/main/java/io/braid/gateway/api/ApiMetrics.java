package io.braid.gateway.api;

import io.braid.gateway.inference.InferenceService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;

/** The gateway's Prometheus metrics (served at {@code /metrics}): requests, latencies, tokens, nodes. */
final class ApiMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Counter disconnects;

    ApiMetrics(InferenceService inference) {
        promptTokens = Counter.builder("braid.tokens").tag("kind", "prompt")
                .description("prompt tokens processed").register(registry);
        completionTokens = Counter.builder("braid.tokens").tag("kind", "completion")
                .description("tokens generated").register(registry);
        disconnects = Counter.builder("braid.stream.disconnects")
                .description("streams cancelled because the client went away").register(registry);
        Gauge.builder("braid.nodes.up", inference,
                        s -> s.nodes().stream().filter(n -> n.state().equals("ready")).count())
                .description("nodes in state ready").register(registry);
        Gauge.builder("braid.nodes.known", inference, s -> s.nodes().size())
                .description("nodes the gateway knows (any state)").register(registry);
    }

    /** Records one finished HTTP request. {@code route} is the route pattern, never the raw path (bounded tags). */
    void request(String method, String route, int status, Duration took) {
        Timer.builder("braid.http.requests").tag("method", method).tag("route", route)
                .tag("status", Integer.toString(status)).publishPercentileHistogram(false)
                .description("HTTP requests by route and status").register(registry).record(took);
    }

    void tokens(int prompt, int completion) {
        promptTokens.increment(prompt);
        completionTokens.increment(completion);
    }

    void disconnect() {
        disconnects.increment();
    }

    /** The Prometheus text exposition of every metric. */
    String scrape() {
        return registry.scrape();
    }
}
