package io.braid.cli;

import io.braid.gateway.api.Gateway;
import io.braid.model.ModelFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code braid gateway}: the public OpenAI-compatible API plus the node-facing port nodes register with.
 * The gateway tokenizes and runs the embedding and head from its own copy of each model; nodes run the layers.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run a gateway: the OpenAI-compatible HTTP API and the port nodes register with.")
public final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "HTTP API port (0 = any free port; default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--node-port", defaultValue = "7070", description = "port nodes connect to (0 = any free port; "
            + "default: ${DEFAULT-VALUE})")
    int nodePort;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE}; "
            + "0.0.0.0 to accept nodes and clients from other machines)")
    String host;

    @Option(names = "--data", defaultValue = "data", description = "data directory (default: ./${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--model", description = "GGUF model file to serve; repeat for several (default: $BRAID_MODEL, "
            + "then ~/.braid/models, then ../shared/models/stories260K.gguf beside the checkout)")
    List<Path> models = new ArrayList<>();

    @Option(names = "--max-in-flight", defaultValue = "64", description = "completions served at once before 429 "
            + "(default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        try {
            if (models.isEmpty()) {
                files.add(ModelLocator.resolve(Optional.empty()));
            } else {
                for (Path m : models) {
                    files.add(ModelLocator.resolve(Optional.of(m)));
                }
            }
            Files.createDirectories(data);
        } catch (IllegalArgumentException e) {
            System.err.println("braid gateway: " + e.getMessage());
            return 2;
        }
        Gateway gateway;
        try {
            gateway = Gateway.start(new Gateway.Options(host, port, nodePort, data.toAbsolutePath(), files,
                    maxInFlight), System.err);
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("braid gateway: " + e.getMessage());
            return 2;
        } catch (RuntimeException | java.io.IOException e) {
            System.err.println("braid gateway: cannot start: " + e.getMessage()
                    + " (is port " + port + " or " + nodePort + " in use? pick others with --port/--node-port)");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            gateway.close();
            stopped.countDown();
        }));
        System.out.println("braid gateway: API " + gateway.apiBase() + "/v1, nodes connect to " + gateway.nodeAddress()
                + ", serving " + String.join(", ", gateway.modelIds()));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
