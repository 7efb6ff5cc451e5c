package io.braid.proof;

import io.braid.crypto.Hash32;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Caches span identities: hashing a span's weights reads every byte once (about 1 GB/s), so it is done once per
 * (file, size, modification time, span) and reused for every commitment of that span.
 */
public final class ModelIdentityCache {

    private record Key(Path file, long size, long modified, int from, int to) {
    }

    private final Map<Key, Hash32> roots = new ConcurrentHashMap<>();

    /**
     * The identity of layers {@code [from, to)} of {@code file}; {@code compute} computes it (e.g. opening the file and
     * calling {@link ModelIdentity#root} on the span's tensors) and is called only on a cache miss.
     */
    public Hash32 spanRoot(Path file, int from, int to, Supplier<Hash32> compute) {
        Key key;
        try {
            Path abs = file.toAbsolutePath().normalize();
            key = new Key(abs, Files.size(abs), Files.getLastModifiedTime(abs).toMillis(), from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the model file to compute its identity: " + e.getMessage(), e);
        }
        return roots.computeIfAbsent(key, k -> compute.get());
    }

    /** Number of cached span identities. */
    public int size() {
        return roots.size();
    }
}
