package io.braid.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {

    @Test
    void rfc8032TestVector1() {
        Identity id = Identity.fromSeed(Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertThat(id.publicKeyHex()).isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] sig = id.sign(new byte[0]);
        assertThat(Hex.encode(sig)).isEqualTo("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
                + "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(Signatures.verify(id.publicKey(), new byte[0], sig)).isTrue();
    }

    @Test
    void verifyRejectsWrongMessageKeyOrSignature() {
        Identity a = Identity.generate();
        Identity b = Identity.generate();
        byte[] msg = "pay 5".getBytes(StandardCharsets.UTF_8);
        byte[] sig = a.sign(msg);
        assertThat(Signatures.verify(a.publicKey(), msg, sig)).isTrue();
        assertThat(Signatures.verify(b.publicKey(), msg, sig)).isFalse();
        assertThat(Signatures.verify(a.publicKey(), "pay 6".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        byte[] bad = sig.clone();
        bad[10] ^= 1;
        assertThat(Signatures.verify(a.publicKey(), msg, bad)).isFalse();
        assertThat(Signatures.verify(a.publicKey(), msg, new byte[63])).isFalse();
        assertThat(Signatures.verify(new byte[5], msg, sig)).isFalse();
    }

    @Test
    void saveLoadRoundTripWithOwnerOnlyPermissions(@TempDir Path dir) throws Exception {
        Identity id = Identity.generate();
        Path f = dir.resolve("keys/node.key");
        id.save(f);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        Identity back = Identity.load(f);
        assertThat(back.publicKey()).isEqualTo(id.publicKey());
        assertThat(Signatures.verify(id.publicKey(), new byte[] {1}, back.sign(new byte[] {1}))).isTrue();
        assertThatThrownBy(() -> id.save(f)).hasMessageContaining("already exists");
        assertThat(Identity.loadOrCreate(f).publicKey()).isEqualTo(id.publicKey());
    }

    @Test
    void corruptKeyFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.key");
        assertThatThrownBy(() -> Identity.load(missing)).hasMessageContaining("none.key: key file not found");
        Path f = dir.resolve("bad.key");
        Files.writeString(f, "hello\n");
        assertThatThrownBy(() -> Identity.load(f)).hasMessageContaining("bad.key:1: expected key=value");
        Files.writeString(f, "seed=zz\n");
        assertThatThrownBy(() -> Identity.load(f)).hasMessageContaining("bad seed");
        Identity a = Identity.generate();
        Files.writeString(f, "seed=" + Hex.encode(a.seed()) + "\npublic=" + Identity.generate().publicKeyHex() + "\n");
        assertThatThrownBy(() -> Identity.load(f)).hasMessageContaining("does not match the seed");
    }

    @Test
    void hashAndKeyValueTypesValidateAndRoundTrip() {
        Hash32 h = Hashes.sha256("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(h.hex()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Hash32.ofHex(h.hex())).isEqualTo(h);
        assertThat(Hash32.ofBase64(h.base64())).isEqualTo(h);
        assertThatThrownBy(() -> Hash32.ofHex("abcd")).hasMessageContaining("64 hex characters");
        assertThatThrownBy(() -> PublicKey.ofHex("xyz")).hasMessageContaining("odd length");
        assertThatThrownBy(() -> new Hash32(new byte[31])).hasMessageContaining("32 bytes, got 31");
    }
}
