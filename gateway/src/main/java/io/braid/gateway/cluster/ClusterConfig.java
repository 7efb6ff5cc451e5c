package io.braid.gateway.cluster;

import io.braid.tensor.Compute;
import io.braid.tensor.codec.ActivationCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import io.braid.crypto.PublicKey;

/**
 * How the gateway's cluster core runs.
 *
 * @param host address the node-facing gRPC server binds (loopback in tests)
 * @param nodePort port nodes register with (0 = any free port)
 * @param models model files the gateway serves (it runs their embedding and head)
 * @param codec activation codec on every hop (default fp32: keeps greedy output identical to
 *     {@code braid generate}; see docs/network.md for fp16/int8 measurements)
 * @param heartbeat how often nodes heartbeat
 * @param nodeTimeout a node silent this long is dead
 * @param stepDeadline a hop that has not answered a step within this (plus {@code perRowDeadline} per
 *     row) is treated as failed and the session moves elsewhere
 * @param perRowDeadline extra deadline per row of a step (prefill, replay)
 * @param noCapacityDeadline how long a session waits for some node to serve a span before
 *     {@link io.braid.gateway.inference.NoCapacityException}
 * @param threads threads for the gateway's embedding/head compute
 * @param mode kernel mode for the head
 * @param targetReplicas replicas of every layer placement aims for (spans are sized for it)
 * @param eligible which node keys may get a span (e.g. only those with a stake on the ledger);
 *     others stay registered on standby and are re-checked at every heartbeat
 */
public record ClusterConfig(String host, int nodePort, List<Path> models, ActivationCodec codec, Duration heartbeat,
                            Duration nodeTimeout, Duration stepDeadline, Duration perRowDeadline,
                            Duration noCapacityDeadline, int threads, Compute.Mode mode, int targetReplicas,
                            Predicate<PublicKey> eligible) {
    public ClusterConfig {
        models = List.copyOf(models);
        if (models.isEmpty()) throw new IllegalArgumentException("the gateway needs at least one --model file");
        if (targetReplicas < 1) throw new IllegalArgumentException("targetReplicas must be >= 1, got " + targetReplicas);
    }

    /** Defaults: loopback, fp32, 1 s heartbeats, 5 s node timeout, 10 s step deadline, 15 s capacity deadline. */
    public static ClusterConfig defaults(int nodePort, List<Path> models) {
        return new ClusterConfig("127.0.0.1", nodePort, models, ActivationCodec.FP32, Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofSeconds(15),
                Math.max(1, Runtime.getRuntime().availableProcessors()), Compute.Mode.DETERMINISTIC, 2, key -> true);
    }

    public ClusterConfig withHost(String h) {
        return new ClusterConfig(h, nodePort, models, codec, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, threads, mode, targetReplicas, eligible);
    }

    public ClusterConfig withCodec(ActivationCodec c) {
        return new ClusterConfig(host, nodePort, models, c, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, threads, mode, targetReplicas, eligible);
    }

    public ClusterConfig withTimeouts(Duration heartbeat, Duration nodeTimeout, Duration stepDeadline, Duration noCapacityDeadline) {
        return new ClusterConfig(host, nodePort, models, codec, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, threads, mode, targetReplicas, eligible);
    }

    /** Only nodes whose key passes {@code p} get spans (the gateway passes its billing eligibility check). */
    public ClusterConfig withEligibility(Predicate<PublicKey> p) {
        return new ClusterConfig(host, nodePort, models, codec, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, threads, mode, targetReplicas, p);
    }

    public ClusterConfig withTargetReplicas(int r) {
        return new ClusterConfig(host, nodePort, models, codec, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, threads, mode, r, eligible);
    }

    public ClusterConfig withThreads(int t) {
        return new ClusterConfig(host, nodePort, models, codec, heartbeat, nodeTimeout, stepDeadline, perRowDeadline, noCapacityDeadline, t, mode, targetReplicas, eligible);
    }
}
