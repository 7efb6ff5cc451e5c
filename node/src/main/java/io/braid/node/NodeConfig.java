package io.braid.node;

import io.braid.tensor.Compute;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a node runs.
 *
 * @param gateway host:port of the gateway's node-facing gRPC port
 * @param models local model files the node may serve spans of
 * @param keyFile the node's Ed25519 identity (created with permissions 600 on first run)
 * @param host the address the node advertises (loopback in tests)
 * @param port the port of its tensor-task service (0 = any free port)
 * @param threads compute threads
 * @param kvBudgetBytes memory granted to KV caches; sessions beyond it are refused
 * @param maxLayers most layers the node will host (0 = as many as its memory allows)
 * @param sessionIdle idle sessions are closed after this long
 * @param gatherWindow how long the batcher waits for more sessions' steps before running a batch
 * @param mode kernel mode (DETERMINISTIC by default: batching and splits change no result)
 * @param drainTimeout how long SIGTERM waits for in-flight sessions before handing them back
 */
public record NodeConfig(String gateway, List<Path> models, Path keyFile, String host, int port, int threads,
                         long kvBudgetBytes, int maxLayers, Duration sessionIdle, Duration gatherWindow,
                         Compute.Mode mode, Duration drainTimeout) {
    public NodeConfig {
        models = List.copyOf(models);
        if (models.isEmpty()) throw new IllegalArgumentException("a node needs at least one --model file");
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (kvBudgetBytes <= 0) throw new IllegalArgumentException("--kv-budget-mb must be > 0");
        if (maxLayers < 0) throw new IllegalArgumentException("--max-layers must be >= 0, got " + maxLayers);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
    }

    /** Defaults for everything but the gateway, model files and key. */
    public static NodeConfig defaults(String gateway, List<Path> models, Path keyFile) {
        return new NodeConfig(gateway, models, keyFile, "127.0.0.1", 0, Math.max(1, Runtime.getRuntime().availableProcessors()),
                512L << 20, 0, Duration.ofMinutes(5), Duration.ofMillis(2), Compute.Mode.DETERMINISTIC, Duration.ofSeconds(10));
    }

    public NodeConfig withPort(int p) {
        return new NodeConfig(gateway, models, keyFile, host, p, threads, kvBudgetBytes, maxLayers, sessionIdle, gatherWindow, mode, drainTimeout);
    }

    public NodeConfig withThreads(int t) {
        return new NodeConfig(gateway, models, keyFile, host, port, t, kvBudgetBytes, maxLayers, sessionIdle, gatherWindow, mode, drainTimeout);
    }

    public NodeConfig withKvBudgetBytes(long b) {
        return new NodeConfig(gateway, models, keyFile, host, port, threads, b, maxLayers, sessionIdle, gatherWindow, mode, drainTimeout);
    }

    public NodeConfig withMaxLayers(int m) {
        return new NodeConfig(gateway, models, keyFile, host, port, threads, kvBudgetBytes, m, sessionIdle, gatherWindow, mode, drainTimeout);
    }

    public NodeConfig withSessionIdle(Duration d) {
        return new NodeConfig(gateway, models, keyFile, host, port, threads, kvBudgetBytes, maxLayers, d, gatherWindow, mode, drainTimeout);
    }

    public NodeConfig withGatherWindow(Duration d) {
        return new NodeConfig(gateway, models, keyFile, host, port, threads, kvBudgetBytes, maxLayers, sessionIdle, d, mode, drainTimeout);
    }

    public NodeConfig withDrainTimeout(Duration d) {
        return new NodeConfig(gateway, models, keyFile, host, port, threads, kvBudgetBytes, maxLayers, sessionIdle, gatherWindow, mode, d);
    }
}
