package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Receipts of completions, kept in memory and written through to {@code DIR/<id>.json} so that a receipt id a
 * client was given still answers after the gateway restarts. Each write goes to a temporary file that is then
 * atomically renamed, so a crash mid-write leaves the previous version, never a torn file.
 */
final class ReceiptStore {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Path dir;
    private final ObjectMapper json;
    private final Map<String, ObjectNode> recent = new ConcurrentHashMap<>();

    ReceiptStore(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the receipts directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Stores the latest version of receipt {@code id} (synchronized: versions land on disk in call order). */
    synchronized void put(String id, ObjectNode receipt) {
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("bad receipt id '" + id + "'");
        recent.put(id, receipt);
        Path file = dir.resolve(id + ".json");
        Path tmp = dir.resolve(id + ".json.tmp");
        try {
            Files.write(tmp, json.writeValueAsBytes(receipt));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The ledger holds the transactions themselves; the receipt stays served from memory.
            System.err.println("gateway: could not write receipt " + file + ": " + e.getMessage());
        }
    }

    /** The receipt with this id, from memory or from disk (after a restart); empty for unknown or malformed ids. */
    Optional<ObjectNode> get(String id) {
        if (id == null || !ID.matcher(id).matches()) return Optional.empty();
        ObjectNode hit = recent.get(id);
        if (hit != null) return Optional.of(hit);
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of((ObjectNode) json.readTree(file.toFile()));
        } catch (IOException | ClassCastException e) {
            System.err.println("gateway: unreadable receipt " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
