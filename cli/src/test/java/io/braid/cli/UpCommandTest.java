package io.braid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid up} as a user runs it: a separate process that starts node processes, serves, and stops them all. */
@Timeout(300)
class UpCommandTest {

    @TempDir
    Path data;

    private static Path sharedModel() {
        String prop = System.getProperty("braid.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("../../shared");
        Path model = shared.resolve("models/stories260K.gguf");
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("shared test data missing: " + model.toAbsolutePath());
        }
        return model;
    }

    @Test
    void upStartsANetworkServesACompletionAndStopsEveryChildOnSigterm() throws Exception {
        List<String> cmd = new ArrayList<>(UpCommand.javaCommand());
        cmd.removeIf(a -> a.startsWith("-D" + ParentWatch.PROPERTY)); // `up` itself is not anyone's child
        cmd.addAll(List.of("up", "--nodes", "2", "--port", "0", "--model", sharedModel().toString(),
                "--data", data.toString()));
        Path log = data.resolve("up.log");
        Process up = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Long> childPids = new ArrayList<>();
        try {
            Path network = data.resolve("network.json");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(network)) {
                assertThat(up.isAlive()).as("braid up exited early:\n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("network.json never appeared:\n%s", Files.readString(log))
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
            JsonNode net = new ObjectMapper().readTree(network.toFile());
            assertThat(net.path("nodes")).hasSize(2);
            for (JsonNode n : net.path("nodes")) {
                long pid = n.path("pid").asLong();
                childPids.add(pid);
                assertThat(ProcessHandle.of(pid)).as("node process %d is running", pid)
                        .hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
                assertThat(n.path("identity").asText()).hasSize(64);
            }
            assertThat(net.path("gateway").path("node_facing").asText()).startsWith("127.0.0.1:");
            String api = net.path("api").asText();
            assertThat(Files.readString(log)).contains("curl " + api.replace("/v1", "") + "/v1/completions");
            String key = Files.readString(data.resolve("dev-api-key")).trim();
            assertThat(Files.readString(log)).contains("Authorization: Bearer " + key);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(data.resolve("dev-api-key")))).isEqualTo("rw-------");

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(api + "/completions"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(res.body());
            assertThat(body.path("choices").path(0).path("text").asText()).startsWith(", there was a little girl");
            assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(12);

            up.destroy(); // SIGTERM, as Ctrl-C or a service manager would
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("braid up stops on SIGTERM").isTrue();
            for (long pid : childPids) {
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isPresent()) {
                    h.get().onExit().get(30, TimeUnit.SECONDS);
                }
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("node %d stopped with braid up", pid).isFalse();
            }
        } finally {
            up.destroyForcibly();
            childPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void nodesExitOnTheirOwnWhenUpIsKilledOutright() throws Exception {
        List<String> cmd = new ArrayList<>(UpCommand.javaCommand());
        cmd.removeIf(a -> a.startsWith("-D" + ParentWatch.PROPERTY));
        cmd.addAll(List.of("up", "--nodes", "1", "--port", "0", "--model", sharedModel().toString(),
                "--data", data.toString()));
        Path log = data.resolve("up.log");
        Process up = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<Long> childPids = new ArrayList<>();
        try {
            Path network = data.resolve("network.json");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.exists(network)) {
                assertThat(up.isAlive()).as("braid up exited early:\n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("network.json never appeared").isLessThan(deadline);
                Thread.sleep(100);
            }
            new ObjectMapper().readTree(network.toFile()).path("nodes").forEach(n -> childPids.add(n.path("pid").asLong()));
            assertThat(childPids).hasSize(1);
            up.destroyForcibly(); // SIGKILL: no shutdown hook runs in `up`
            up.waitFor(30, TimeUnit.SECONDS);
            for (long pid : childPids) {
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isPresent()) {
                    h.get().onExit().get(60, TimeUnit.SECONDS);
                }
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("orphaned node %d exited", pid).isFalse();
            }
        } finally {
            up.destroyForcibly();
            childPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void upWithoutAnyModelSaysWhatToDo() throws Exception {
        // An explicit model that does not exist is the one case that never falls back to the defaults.
        List<String> cmd = new ArrayList<>(UpCommand.javaCommand());
        cmd.removeIf(a -> a.startsWith("-D" + ParentWatch.PROPERTY));
        cmd.addAll(List.of("up", "--model", data.resolve("missing.gguf").toString(), "--data", data.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("missing.gguf: no such model file");
    }
}
