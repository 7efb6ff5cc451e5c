package io.braid.gateway.api;

import io.braid.gateway.cluster.Cluster;
import io.braid.gateway.cluster.ClusterConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.braid.gateway.api.ApiContract.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/** A gateway whose model no node covers: clear 503s after the deadline (never a hang), 429 beyond the admission cap. */
@Timeout(60)
class NoCapacityApiTest {

    private Cluster cluster;
    private GatewayHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private Http start(int maxInFlight) throws Exception {
        cluster = Cluster.start(ClusterConfig.defaults(0, List.of(Reference.stories())).withThreads(1)
                .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2)),
                new PrintStream(OutputStream.nullOutputStream()));
        server = GatewayHttpServer.start(cluster.inference(), "127.0.0.1", 0, maxInFlight);
        return new Http("http://127.0.0.1:" + server.port());
    }

    @Test
    void anUncoveredModelAnswers503WithTheReasonAndHealthSaysSo() throws Exception {
        Http http = start(4);
        String body = "{\"model\":\"stories260K\",\"prompt\":\"Once\",\"max_tokens\":4}";
        Http.Response r = http.post("/v1/completions", body);
        assertError(r, 503, "no_capacity");
        assertThat(r.body().path("error").path("message").asText()).contains("stories260K");
        // Streaming requests get the status too: nothing was streamed before the failure.
        Http.Events ev = http.stream("/v1/completions", body.replace("}", ",\"stream\":true}"));
        assertThat(ev.status()).isEqualTo(503);
        Http.Response health = http.get("/healthz");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body().path("models").path("stories260K").asText()).isEqualTo("not covered");
        assertThat(http.get("/v1/models").body().path("data").path(0).path("covered").asBoolean()).isFalse();
    }

    @Test
    void requestsBeyondTheAdmissionCapGet429() throws Exception {
        Http http = start(1);
        String body = "{\"model\":\"stories260K\",\"prompt\":\"Once\",\"max_tokens\":4}";
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> http.post("/v1/completions", body));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (http.get("/healthz").body().path("in_flight").asInt() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertError(http.post("/v1/completions", body), 429, "too_many_requests");
        assertError(first.get(), 503, "no_capacity");
    }
}
