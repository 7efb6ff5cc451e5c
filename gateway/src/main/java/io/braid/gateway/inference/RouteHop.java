package io.braid.gateway.inference;

/**
 * One hop of a session's final route: the node and the layers {@code [fromLayer, toLayer)} it computed for the
 * session (a sub-range of its span when the router used only part of it). Billing is computed from these.
 *
 * @param nodeId short node id (as in {@link NodeSnapshot#nodeId()})
 * @param publicKey the node's Ed25519 public key, hex
 * @param fromLayer first layer (inclusive)
 * @param toLayer end layer (exclusive)
 */
public record RouteHop(String nodeId, String publicKey, int fromLayer, int toLayer) {
}
