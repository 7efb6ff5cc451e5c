package io.braid.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Set;

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
    /** DER prefix of a PKCS#8 PrivateKeyInfo for Ed25519; the 32-byte seed follows. */
    private static final byte[] PKCS8_PREFIX = Hex.decode("302e020100300506032b657004220420");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] seed;
    private final PublicKey publicKey;
    private final PrivateKey privateKey;

    private Identity(byte[] seed) {
        if (seed.length != 32) throw new IllegalArgumentException("an Ed25519 seed must be 32 bytes, got " + seed.length);
        this.seed = seed.clone();
        try {
            byte[] der = new byte[PKCS8_PREFIX.length + 32];
            System.arraycopy(PKCS8_PREFIX, 0, der, 0, PKCS8_PREFIX.length);
            System.arraycopy(seed, 0, der, PKCS8_PREFIX.length, 32);
            this.privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            this.publicKey = derivePublic(this.privateKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot build an Ed25519 key: " + e.getMessage(), e);
        }
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
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
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

    private static PublicKey derivePublic(PrivateKey priv) throws GeneralSecurityException {
        // The JDK derives the public point only through signing machinery; a KeyPairGenerator seeded with
        // our seed bytes reproduces the same key pair (RFC 8032 keys are a function of the seed).
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        byte[] seed = ((EdECPrivateKey) priv).getBytes().orElseThrow();
        g.initialize(255, new FixedRandom(seed));
        java.security.KeyPair kp = g.generateKeyPair();
        byte[] x509 = kp.getPublic().getEncoded();
        byte[] raw = new byte[32];
        System.arraycopy(x509, x509.length - 32, raw, 0, 32);
        return new PublicKey(raw);
    }

    /** A SecureRandom that returns the given seed once: lets the JDK generator rebuild a key from its seed. */
    private static final class FixedRandom extends SecureRandom {
        private final byte[] bytes;
        private int pos;

        FixedRandom(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            for (int i = 0; i < out.length; i++) {
                if (pos >= bytes.length) throw new IllegalStateException("seed exhausted");
                out[i] = bytes[pos++];
            }
        }
    }

    @Override
    public String toString() {
        return "Identity[" + publicKey.hex() + "]";
    }
}
