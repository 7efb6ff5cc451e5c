package io.braid.gateway.inference;

/**
 * One node as the gateway sees it now (for {@code GET /v1/nodes}).
 *
 * @param nodeId short id (first 16 hex characters of the public key)
 * @param publicKey the node's Ed25519 public key, hex
 * @param address host:port of its tensor-task service
 * @param flops measured FLOP/s
 * @param memoryBandwidth measured bytes/s
 * @param freeRamBytes free RAM at start
 * @param threads compute threads
 * @param modelId the model of its span, or "" when it has none
 * @param fromLayer first layer of its span (inclusive), -1 when none
 * @param toLayer end of its span (exclusive), -1 when none
 * @param state "loading", "ready", "draining", "suspect" (missed heartbeats or failed a request) or "dead"
 * @param activeSessions sessions open on the node
 * @param tokensServed token rows the node processed (forward and replay)
 * @param failures failed or rejected tasks the gateway attributed to the node
 * @param lastSeenMillis epoch ms of its last valid signed message
 */
public record NodeSnapshot(String nodeId, String publicKey, String address, double flops, double memoryBandwidth,
                           long freeRamBytes, int threads, String modelId, int fromLayer, int toLayer, String state,
                           int activeSessions, long tokensServed, long failures, long lastSeenMillis) {
}
