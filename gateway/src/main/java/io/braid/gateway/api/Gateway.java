package io.braid.gateway.api;

import io.braid.gateway.cluster.Cluster;
import io.braid.gateway.cluster.ClusterConfig;
import io.braid.gateway.inference.InferenceService;
import io.braid.gateway.inference.ModelInfo;
import io.braid.ledger.Billing;
import io.braid.ledger.Ledger;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A whole gateway in one object: the cluster core (node-facing gRPC, placement, sessions) and the public HTTP
 * API on top of it, with billing on the embedded ledger. {@code braid gateway} and {@code braid up} run one; end-to-end tests start one too.
 */
public final class Gateway implements AutoCloseable {

    /**
     * @param host        address both servers bind (127.0.0.1 for a local network)
     * @param httpPort    API port (0 = any free port)
     * @param nodePort    port nodes register with (0 = any free port)
     * @param dataDir     the gateway's data directory (ledger, keys)
     * @param models      GGUF files served; the gateway runs their tokenizer, embedding and head
     * @param maxInFlight completions served at once before 429
     */
    public record Options(String host, int httpPort, int nodePort, Path dataDir, List<Path> models, int maxInFlight) {
        public static final int DEFAULT_MAX_IN_FLIGHT = GatewayHttpServer.DEFAULT_MAX_IN_FLIGHT;

        public Options {
            models = List.copyOf(models);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("the gateway needs at least one --model file");
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
            }
        }
    }

    private final Options options;
    private final Ledger ledger;
    private final Billing billing;
    private final Cluster cluster;
    private final GatewayHttpServer http;

    private Gateway(Options options, Ledger ledger, Billing billing, Cluster cluster, GatewayHttpServer http) {
        this.options = options;
        this.ledger = ledger;
        this.billing = billing;
        this.cluster = cluster;
        this.http = http;
    }

    /**
     * Opens the embedded ledger ({@code DATA/ledger}), starts the cluster core, then the HTTP API with billing;
     * on failure nothing is left running.
     */
    public static Gateway start(Options options, PrintStream log) throws IOException {
        Ledger ledger = Ledger.openEmbedded(options.dataDir().resolve("ledger"));
        Billing billing = null;
        Cluster cluster = null;
        try {
            billing = new Billing(ledger);
            int orphaned = billing.releaseOrphanedHolds();
            if (orphaned > 0) {
                log.println("gateway: released " + orphaned + " escrow holds left open by an earlier crash");
            }
            // Only nodes registered on the ledger with their owner's minimum stake get spans (and so get paid).
            cluster = Cluster.start(ClusterConfig.defaults(options.nodePort(), options.models())
                    .withHost(options.host()).withEligibility(billing::isEligible), log);
            GatewayHttpServer http = GatewayHttpServer.start(cluster.inference(), Optional.of(billing),
                    options.host(), options.httpPort(), options.maxInFlight());
            return new Gateway(options, ledger, billing, cluster, http);
        } catch (RuntimeException | IOException e) {
            if (cluster != null) {
                cluster.close();
            }
            if (billing != null) {
                billing.close();
            }
            ledger.close();
            throw e;
        }
    }

    /** Accounts, API keys, escrow and node registration on the gateway's embedded ledger. */
    public Billing billing() {
        return billing;
    }

    public InferenceService inference() {
        return cluster.inference();
    }

    public int httpPort() {
        return http.port();
    }

    public int nodePort() {
        return cluster.nodePort();
    }

    /** host:port nodes pass as {@code braid node --gateway}. */
    public String nodeAddress() {
        return options.host() + ":" + nodePort();
    }

    /** The base URL of the API, e.g. {@code http://127.0.0.1:8080}. */
    public String apiBase() {
        return "http://" + options.host() + ":" + httpPort();
    }

    /** Ids of the models served, in the order given. */
    public List<String> modelIds() {
        return inference().models().stream().map(ModelInfo::id).toList();
    }

    @Override
    public void close() {
        try {
            http.close();
        } finally {
            try {
                cluster.close();
            } finally {
                try {
                    billing.close();
                } finally {
                    ledger.close();
                }
            }
        }
    }
}
