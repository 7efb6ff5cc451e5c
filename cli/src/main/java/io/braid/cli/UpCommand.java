package io.braid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.braid.crypto.Identity;
import io.braid.gateway.api.Gateway;
import io.braid.ledger.Billing;
import io.braid.ledger.TxResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code braid up}: a whole local network — one gateway (in this process) and N node processes on loopback,
 * speaking the same wire protocol as a multi-machine deployment. Runs until SIGINT/SIGTERM, which stops every
 * child; children also exit on their own if this process is killed outright ({@link ParentWatch}).
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start a local Braid network: a gateway and N node processes on loopback, serving the "
                + "OpenAI-compatible API until Ctrl-C.")
public final class UpCommand implements Callable<Integer> {

    @Option(names = "--nodes", defaultValue = "3", description = "node processes to start (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--model", description = "GGUF model file (default: $BRAID_MODEL, then the first *.gguf in "
            + "~/.braid/models, then ../shared/models/stories260K.gguf beside the checkout)")
    Path model;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port of the API (0 = any free port; "
            + "default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--node-port", defaultValue = "0", description = "gateway port nodes connect to (0 = any free port)")
    int nodePort;

    @Option(names = "--data", defaultValue = "data", description = "data directory: network.json, node keys, logs, "
            + "ledger (default: ./${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--timeout", defaultValue = "180", description = "seconds to wait for the nodes to cover the "
            + "model (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1) {
            System.err.println("braid up: --nodes must be at least 1, got " + nodes);
            return 2;
        }
        Path modelFile;
        try {
            modelFile = ModelLocator.resolve(Optional.ofNullable(model));
        } catch (IllegalArgumentException e) {
            System.err.println("braid up: " + e.getMessage());
            return 2;
        }
        Path dataDir = data.toAbsolutePath().normalize();
        Files.createDirectories(dataDir.resolve("logs"));
        Files.deleteIfExists(dataDir.resolve("network.json"));

        Gateway gateway;
        try {
            gateway = Gateway.start(new Gateway.Options("127.0.0.1", port, nodePort, dataDir,
                    List.of(modelFile), Gateway.Options.DEFAULT_MAX_IN_FLIGHT), System.err);
        } catch (RuntimeException | IOException e) {
            System.err.println("braid up: cannot start the gateway: " + e.getMessage()
                    + (port != 0 ? " (is port " + port + " in use? pick another with --port, or 0 for any)" : ""));
            return 1;
        }
        List<NodeProcess> children = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            stopAll(children);
            gateway.close();
            stopped.countDown();
        }));
        String apiKey;
        try {
            apiKey = createDevAccount(gateway.billing(), dataDir);
            List<Path> keys = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                keys.add(NodeProcess.keyFile(dataDir, i));
            }
            registerNodes(gateway.billing(), dataDir, keys);
            for (int i = 0; i < nodes; i++) {
                children.add(NodeProcess.start(i, gateway.nodeAddress(), modelFile, dataDir));
            }
            String modelId = gateway.modelIds().getFirst();
            awaitCoverage(gateway, modelId, children);
            String url = "http://127.0.0.1:" + gateway.httpPort();
            System.out.println("Braid is up: " + nodes + " node" + (nodes == 1 ? "" : "s") + " serving " + modelId);
            for (var n : gateway.inference().nodes()) {
                if (n.fromLayer() >= 0) {
                    System.out.println("  node     " + n.nodeId() + " at " + n.address() + ": layers [" + n.fromLayer()
                            + ", " + n.toLayer() + ") of " + n.modelId() + " (" + n.state() + ")");
                }
            }
            System.out.println("  API      " + url + "/v1   (nodes: " + url + "/v1/nodes, metrics: " + url + "/metrics)");
            System.out.println("  network  " + dataDir.resolve("network.json"));
            System.out.println("  API key  " + dataDir.resolve("dev-api-key") + " (a funded development account)");
            System.out.println("Try:");
            System.out.println("  curl " + url + "/v1/completions -H 'Content-Type: application/json' \\");
            System.out.println("    -H 'Authorization: Bearer " + apiKey + "' \\");
            System.out.println("    -d '{\"model\":\"" + modelId + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":40}'");
            System.out.println("Ctrl-C stops the network.");
            System.out.flush();
            // Written last: its appearance tells scripts the network is ready.
            writeNetworkJson(dataDir, gateway, modelFile, children);
        } catch (RuntimeException | IOException e) {
            System.err.println("braid up: " + e.getMessage());
            return 1; // exit runs the shutdown hook, which stops the children
        }
        stopped.await();
        return 0;
    }

    private void awaitCoverage(Gateway gateway, String modelId, List<NodeProcess> children)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!gateway.inference().awaitCovered(modelId, Duration.ofMillis(250))) {
            for (NodeProcess child : children) {
                if (!child.process().isAlive()) {
                    throw new IllegalStateException("node " + child.index() + " exited with code "
                            + child.process().exitValue() + " before the model was covered; see "
                            + child.log() + child.logTail());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the nodes did not cover " + modelId + " within " + timeoutSeconds
                        + " s; see the node logs in " + children.getFirst().log().getParent()
                        + " (or raise --timeout)");
            }
        }
    }

    private static void writeNetworkJson(Path dataDir, Gateway gateway, Path modelFile, List<NodeProcess> children)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("api", "http://127.0.0.1:" + gateway.httpPort() + "/v1");
        root.putObject("gateway").put("pid", ProcessHandle.current().pid())
                .put("http", "127.0.0.1:" + gateway.httpPort())
                .put("node_facing", gateway.nodeAddress());
        root.put("model", modelFile.toString());
        ArrayNode list = root.putArray("nodes");
        for (NodeProcess c : children) {
            list.addObject().put("index", c.index()).put("pid", c.process().pid()).put("identity", c.identity())
                    .put("key_file", c.keyFile().toString()).put("log", c.log().toString());
        }
        Path tmp = dataDir.resolve("network.json.tmp");
        json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        Files.move(tmp, dataDir.resolve("network.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Micro-units the development account starts with (1,000 USD of the stablecoin). */
    public static final long DEV_FUNDS = 1_000_000_000L;

    /**
     * Creates a funded development account on the gateway's ledger and writes its API key to
     * {@code DATA/dev-api-key} (mode 600), reusing the key already there if the account is still known.
     */
    public static String createDevAccount(Billing billing, Path dataDir) throws IOException {
        Path file = dataDir.resolve("dev-api-key");
        if (Files.isRegularFile(file)) {
            String existing = Files.readString(file).trim();
            if (billing.accountForApiKey(existing).isPresent()) {
                return existing;
            }
        }
        Billing.NewAccount account = billing.createAccount();
        TxResult funded = billing.faucet(account.account(), DEV_FUNDS);
        if (!funded.ok()) {
            throw new IllegalStateException("the ledger refused to fund the development account: " + funded.reason());
        }
        Path tmp = dataDir.resolve("dev-api-key.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, account.apiKey() + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return account.apiKey();
    }

    /**
     * Registers each node key to a development owner account ({@code DATA/nodes/owner.key}) with the minimum stake,
     * so the ledger pays the nodes' owner for their FLOPs and the gateway may schedule them.
     */
    public static void registerNodes(Billing billing, Path dataDir, List<Path> nodeKeys) throws IOException {
        Path ownerKey = dataDir.resolve("nodes").resolve("owner.key");
        Identity owner = Identity.loadOrCreate(ownerKey);
        long stake = Math.max(1, billing.prices().minStake());
        TxResult funded = billing.faucet(owner.publicKey(), stake * nodeKeys.size());
        if (!funded.ok()) {
            throw new IllegalStateException("the ledger refused to fund the node owner: " + funded.reason());
        }
        for (Path key : nodeKeys) {
            Identity node = Identity.loadOrCreate(key);
            if (billing.isEligible(node.publicKey())) {
                continue; // registered and staked in an earlier run on this data directory
            }
            TxResult r = billing.registerNode(owner, node, stake);
            if (!r.ok()) {
                throw new IllegalStateException("cannot register node " + node.publicKeyHex().substring(0, 16)
                        + " on the ledger: " + r.reason());
            }
        }
    }

    /** SIGTERM to every child (they drain), then SIGKILL to any still running after the grace period. */
    public static void stopAll(List<NodeProcess> children) {
        children.forEach(c -> c.process().destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (NodeProcess c : children) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!c.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    c.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                c.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One {@code braid node} child JVM (also used by the end-to-end tests). */
    public record NodeProcess(int index, Process process, String identity, Path keyFile, Path log) {

        /** Starts {@code braid node} with this JVM's java binary and class path, its key created up front. */
        public static NodeProcess start(int index, String gatewayAddress, Path modelFile, Path dataDir) throws IOException {
            Path keyFile = keyFile(dataDir, index);
            String identity = Identity.loadOrCreate(keyFile).publicKeyHex();
            Path log = dataDir.resolve("logs").resolve("node-" + index + ".log");
            List<String> cmd = new ArrayList<>(javaCommand());
            cmd.addAll(List.of("node", "--gateway", gatewayAddress, "--model", modelFile.toString(),
                    "--key", keyFile.toString()));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new NodeProcess(index, p, identity, keyFile, log);
        }

        /** {@code DATA/nodes/node-i/node.key}, its directory created. */
        public static Path keyFile(Path dataDir, int index) throws IOException {
            Path dir = dataDir.resolve("nodes").resolve("node-" + index);
            Files.createDirectories(dir);
            return dir.resolve("node.key");
        }

        /** The last lines of the node's log, to show why it failed. */
        public String logTail() {
            try {
                // Stack frames say little to a user: keep the messages (exception lines, "Caused by", errors).
                List<String> lines = Files.readAllLines(log).stream()
                        .filter(l -> !l.stripLeading().startsWith("at ") && !l.stripLeading().startsWith("..."))
                        .toList();
                return lines.isEmpty() ? "" : ":\n  " + String.join("\n  ",
                        lines.subList(Math.max(0, lines.size() - 8), lines.size()));
            } catch (IOException | UncheckedIOException e) {
                return "";
            }
        }
    }

    /** {@code java <flags> -cp <this class path> io.braid.cli.Braid}, for a child that runs a braid subcommand. */
    public static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-XX:+UseParallelGC", "-Xss4m",
                "-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid(),
                "-cp", System.getProperty("java.class.path"), Braid.class.getName());
    }
}
