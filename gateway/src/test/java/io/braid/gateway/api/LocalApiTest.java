package io.braid.gateway.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The API contract over the engine in this process: fast, and isolates the HTTP layer from the network. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalApiTest extends ApiContract {

    private LocalInference inference;
    private GatewayHttpServer server;
    private Http http;

    @BeforeAll
    void start() {
        inference = new LocalInference(Reference.stories());
        server = GatewayHttpServer.start(inference, "127.0.0.1", 0, GatewayHttpServer.DEFAULT_MAX_IN_FLIGHT);
        http = new Http("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (inference != null) {
            inference.close();
        }
    }

    @Override
    Http http() {
        return http;
    }

    @Override
    int port() {
        return server.port();
    }
}
