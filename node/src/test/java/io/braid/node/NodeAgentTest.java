package io.braid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.protocol.v1.Capacity;
import io.braid.tensor.Compute;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeAgentTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    @Test
    void createsItsIdentityWithMode600OnFirstRunAndKeepsItAfterwards() throws Exception {
        Path key = dir.resolve("sub/node.key");
        NodeConfig cfg = NodeConfig.defaults("127.0.0.1:1", List.of(SharedData.stories260K()), key).withThreads(1);
        String first;
        try (NodeAgent a = new NodeAgent(cfg, QUIET)) {
            first = a.publicKeyHex();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (NodeAgent b = new NodeAgent(cfg, QUIET)) {
            assertThat(b.publicKeyHex()).isEqualTo(first);
        }
    }

    @Test
    void measuresCapacityWithAMultiThreadedPool() {
        try (Compute compute = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            Capacity c = CapacityProbe.measure(compute, 1 << 20);
            assertThat(c.getFlops()).isGreaterThan(1e6);
            assertThat(c.getMemoryBandwidth()).isGreaterThan(1e6);
            assertThat(c.getFreeRamBytes()).isPositive();
            assertThat(c.getThreads()).isEqualTo(2);
        }
    }

    @Test
    void badModelFileIsAOneLineErrorNamingTheFile() throws Exception {
        Path bad = Files.writeString(dir.resolve("broken.gguf"), "not a model");
        NodeConfig cfg = NodeConfig.defaults("127.0.0.1:1", List.of(bad), dir.resolve("k")).withThreads(1);
        assertThatThrownBy(() -> new NodeAgent(cfg, QUIET)).hasMessageContaining("broken.gguf");
        assertThatThrownBy(() -> NodeConfig.defaults("g", List.of(), dir.resolve("k"))).hasMessageContaining("at least one --model");
    }
}
