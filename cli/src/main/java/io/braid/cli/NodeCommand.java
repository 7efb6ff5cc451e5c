package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.node.NodeAgent;
import io.braid.node.NodeConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code braid node}: contribute this machine to a Braid network. Serves the layer span the gateway
 * assigns from its own local model file; SIGTERM (Ctrl-C) drains, SIGKILL harms nothing.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a Braid node: registers with a gateway and serves the layer span it assigns.")
public final class NodeCommand implements Callable<Integer> {

    @Option(names = "--gateway", required = true, paramLabel = "HOST:PORT", description = "the gateway's node-facing address")
    String gateway;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "a local model file (repeatable)")
    List<Path> models;

    @Option(names = "--key", paramLabel = "FILE", description = "Ed25519 identity file, created (mode 600) if missing (default: ~/.braid/node.key)")
    Path key;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to serve and advertise (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "0", description = "tensor-task port (0 = any free port)")
    int port;

    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--kv-budget-mb", defaultValue = "512", description = "memory for KV caches; sessions beyond it are refused (default: ${DEFAULT-VALUE})")
    long kvBudgetMb;

    @Option(names = "--max-layers", defaultValue = "0", description = "most layers to host (0 = as many as the model has)")
    int maxLayers;

    @Override
    public Integer call() {
        ParentWatch.startIfAsked();
        Path keyFile = key != null ? key : Path.of(System.getProperty("user.home"), ".braid", "node.key");
        NodeAgent agent;
        try {
            NodeConfig cfg = NodeConfig.defaults(gateway, models, keyFile).withPort(port)
                    .withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())
                    .withKvBudgetBytes(kvBudgetMb << 20).withMaxLayers(maxLayers);
            agent = new NodeAgent(cfg, System.out).start();
        } catch (ModelFormatException | IllegalArgumentException e) {
            System.err.println("braid node: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("braid node: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("braid node: draining (finishing in-flight sessions, then deregistering)");
            agent.drain();
            stopped.countDown();
        }, "node-drain"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
