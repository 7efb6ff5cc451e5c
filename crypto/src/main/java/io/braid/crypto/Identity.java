package io.braid.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair: the identity of an account, node or validator.
 *
 * <p>Key file format (text, permissions 600):
 * <pre>
 * # braid ed25519 identity
 * seed=&lt;64 hex chars: the RFC 8032 private seed&gt;
 * public=&lt;64 hex chars: the public key&gt;
 * </pre>
 * On load the public key is re-derived from the seed and must match the stored one.
 */
public final class Identity {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] seed;
    private final PublicKey publicKey;
    private final byte[] publicKeyRaw;

    private Identity(byte[] seed) {
        if (seed.length != 32) throw new IllegalArgumentException("an Ed25519 seed must be 32 bytes, got " + seed.length);
        this.seed = seed.clone();
        this.publicKeyRaw = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(this.seed, 0, publicKeyRaw, 0);
        this.publicKey = new PublicKey(publicKeyRaw);
    }

    /** A fresh random identity. */
    public static Identity generate() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return new Identity(seed);
    }

    /** The identity with this 32-byte RFC 8032 seed (deterministic; for tests and derived keys). */
    public static Identity fromSeed(byte[] seed) {
        return new Identity(seed);
    }

    /** The public key (the account id). */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Raw 32 public-key bytes. */
    public byte[] publicKeyBytes() {
        return publicKey.bytes();
    }

    /** Public key as 64 hex characters. */
    public String publicKeyHex() {
        return publicKey.hex();
    }

    /** The 32-byte seed; handle with care (it is the secret). */
    public byte[] seed() {
        return seed.clone();
    }

    /** Ed25519 signature (64 bytes, deterministic per RFC 8032) of {@code message}. */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, publicKeyRaw, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * Writes the key file with permissions 600 (created that way, never world-readable in between).
     * Refuses to overwrite an existing file.
     */
    public void save(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        String text = "# braid ed25519 identity\nseed=" + Hex.encode(seed) + "\npublic=" + publicKey.hex() + "\n";
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file + ": key file already exists; refusing to overwrite it");
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // non-POSIX file system: best effort
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Loads a key file written by {@link #save}; errors name the file and the problem. */
    public static Identity load(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + ": key file not found");
        String seedHex = null;
        String pubHex = null;
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            int eq = l.indexOf('=');
            if (eq < 0) throw new IOException(file + ":" + lineNo + ": expected key=value, got '" + Hex.abbreviate(l) + "'");
            String k = l.substring(0, eq).strip();
            String v = l.substring(eq + 1).strip();
            switch (k) {
                case "seed" -> seedHex = v;
                case "public" -> pubHex = v;
                default -> throw new IOException(file + ":" + lineNo + ": unknown field '" + k + "' (expected seed, public)");
            }
        }
        if (seedHex == null) throw new IOException(file + ": no 'seed=' line; not a braid key file");
        Identity id;
        try {
            byte[] seed = Hex.decode(seedHex);
            if (seed.length != 32) throw new IOException(file + ": seed must be 64 hex characters, got " + seedHex.length());
            id = new Identity(seed);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad seed: " + e.getMessage());
        }
        if (pubHex != null && !pubHex.equalsIgnoreCase(id.publicKeyHex()))
            throw new IOException(file + ": public key does not match the seed; the file is corrupt");
        return id;
    }

    /** Loads {@code file} if it exists, otherwise generates a new identity and saves it there. */
    public static Identity loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) return load(file);
        Identity id = generate();
        id.save(file);
        return id;
    }

    @Override
    public String toString() {
        return "Identity[" + publicKey.hex() + "]";
    }
}
