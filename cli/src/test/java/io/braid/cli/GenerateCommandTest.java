package io.braid.cli;

import io.braid.cli.InProcessBraid.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.braid.cli.InProcessBraid.braid;
import static io.braid.cli.InProcessBraid.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid generate} run in-process, its stdout compared byte for byte with run.c's and llama.cpp's. */
class GenerateCommandTest {

    private static List<String> modelArgs(String kind) {
        return kind.equals("gguf")
                ? List.of("--model", shared("models/stories260K.gguf").toString())
                : List.of("--model", shared("models/stories260K.bin").toString(),
                "--tokenizer", shared("models/tok512.bin").toString());
    }

    private static Run generate(String kind, String... more) {
        List<String> args = new ArrayList<>(List.of("generate"));
        args.addAll(modelArgs(kind));
        args.addAll(List.of(more));
        return braid(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}: ''{1}'' -n {2}")
    @CsvSource({
            "gguf, '', 64, run_t0_empty_n64", "gguf, '', 128, run_t0_empty_n128", "gguf, '', 256, run_t0_empty_n256",
            "gguf, Once upon a time, 64, run_t0_once_upon_a_time_n64",
            "gguf, Once upon a time, 128, run_t0_once_upon_a_time_n128",
            "gguf, Once upon a time, 256, run_t0_once_upon_a_time_n256",
            "bin, '', 64, run_t0_empty_n64", "bin, '', 128, run_t0_empty_n128", "bin, '', 256, run_t0_empty_n256",
            "bin, Once upon a time, 64, run_t0_once_upon_a_time_n64",
            "bin, Once upon a time, 128, run_t0_once_upon_a_time_n128",
            "bin, Once upon a time, 256, run_t0_once_upon_a_time_n256"})
    void greedyOutputIsRunCsByteForByte(String kind, String prompt, int steps, String reference) throws Exception {
        Run r = generate(kind, "--prompt", prompt, "--steps", Integer.toString(steps), "--temperature", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Files.readAllBytes(shared("reference/stories260K/" + reference + ".stdout")));
        assertThat(r.err()).contains("tok/s");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bin", "gguf"})
    void defaultsReproduceRunCsDocumentedDefaultRun(String kind) throws Exception {
        // run_doc_default_t0 is `run stories260K.bin -z tok512.bin -t 0.0`: empty prompt, run.c's default -n 256.
        Run r = generate(kind, "--temperature", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Files.readAllBytes(shared("reference/stories260K/run_doc_default_t0.stdout")));
    }

    @Test
    void tokenizerOfAnotherModelIsAOneLineError() {
        Path tok = shared("models/tokenizer.bin");
        assertOneLineError(braid("generate", "--model", shared("models/stories260K.bin").toString(), "--tokenizer",
                tok.toString(), "--prompt", "hi"), tok.toString(), "512");
    }

    @Test
    void checkpointWithoutTokenizerIsAOneLineError() {
        assertOneLineError(braid("generate", "--model", shared("models/stories260K.bin").toString(), "--prompt", "hi"),
                "--tokenizer");
    }

    @Test
    void otherGgufShapesGenerate() {
        // llama-2-tiny-random: F16, 32k vocab, random weights (text is noise but must decode and finish cleanly).
        Run r = braid("generate", "--model", shared("models/llama-2-tiny-random.gguf").toString(), "--prompt", "Hello",
                "-n", "12", "-t", "0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(new String(r.out(), StandardCharsets.UTF_8)).startsWith("Hello").endsWith("\n");
    }

    @ParameterizedTest(name = "llama-simple {0}")
    @CsvSource({"simple_empty_n64, '', 64", "simple_empty_n128, '', 128", "simple_empty_n256, '', 256",
            "simple_once_upon_a_time_n60, Once upon a time, 64", "simple_once_upon_a_time_n124, Once upon a time, 128",
            "simple_once_upon_a_time_n252, Once upon a time, 256"})
    void greedyOutputMatchesLlamaCppSimple(String reference, String prompt, int steps) throws Exception {
        // llama-simple prints "<s> " for BOS and counts only generated tokens; our steps include the 4 prompt tokens.
        Run r = generate("gguf", "--prompt", prompt, "--steps", Integer.toString(steps), "-t", "0");
        String expected = Files.readString(shared("reference/llamacpp/" + reference + ".stdout"));
        assertThat(expected).startsWith("<s> ");
        assertThat(new String(r.out(), StandardCharsets.UTF_8)).isEqualTo(expected.substring(4));
    }

    @Test
    void sameSeedSameText() {
        Run a = generate("gguf", "--prompt", "Once upon a time", "-n", "40", "--seed", "7", "-t", "0.9");
        Run b = generate("gguf", "--prompt", "Once upon a time", "-n", "40", "--seed", "7", "-t", "0.9", "--threads", "1");
        Run c = generate("gguf", "--prompt", "Once upon a time", "-n", "40", "--seed", "8", "-t", "0.9");
        assertThat(a.exit()).isZero();
        assertThat(a.out()).isEqualTo(b.out()).isNotEqualTo(c.out());
        assertThat(new String(a.out(), StandardCharsets.UTF_8)).startsWith("Once upon a time");
    }

    private static void assertOneLineError(Run r, String... fragments) {
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").contains(fragments);
    }

    @Test
    void promptLongerThanTheContextIsAOneLineError() {
        String prompt = "the cat sat. ".repeat(800);
        assertOneLineError(generate("gguf", "--prompt", prompt, "-t", "0"), "context", "2048");
    }

    @Test
    void missingModelIsAOneLineError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.gguf");
        assertOneLineError(braid("generate", "--model", missing.toString(), "--prompt", "hi"), missing.toString(), "no such file");
    }

    @Test
    void truncatedModelIsAOneLineError(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(shared("models/stories260K.gguf"));
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertOneLineError(braid("generate", "--model", cut.toString(), "--prompt", "hi"), cut.toString());
    }

    @Test
    void truncatedCheckpointIsAOneLineError(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(shared("models/stories260K.bin"));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 1000));
        assertOneLineError(braid("generate", "--model", cut.toString(), "--tokenizer",
                shared("models/tok512.bin").toString(), "--prompt", "hi"), cut.toString());
    }

    @Test
    void badModeIsAOneLineError() {
        assertOneLineError(generate("gguf", "--mode", "turbo"), "--mode");
    }
}
