package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deterministic results must not depend on the machine's vector width. The species is a JIT constant, so
 * each width runs in its own child JVM; all must print the digest of the scalar {@link Reference}.
 */
class VectorWidthTest {
    @Test
    void narrowAndWideImplementationsGiveTheReferenceBits() throws Exception {
        String expected = WidthProbe.digest(true);
        for (int bits : new int[] {128, 256, 512}) {
            assertThat(runProbe(bits)).as("vector width %d", bits).isEqualTo(bits + " " + expected);
        }
    }

    private static String runProbe(int bits) throws IOException, InterruptedException {
        String javaExe = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(javaExe, "--add-modules", "jdk.incubator.vector",
                "-Dbraid.tensor.vectorBits=" + bits, "-cp", System.getProperty("java.class.path"),
                WidthProbe.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator")).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("probe exit, output: %s", out).isZero();
        return out;
    }
}
