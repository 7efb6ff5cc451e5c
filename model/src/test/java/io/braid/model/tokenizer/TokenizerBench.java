package io.braid.model.tokenizer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Encoding speed of each tokenizer family on 64 KiB of tinyshakespeare (ms per encode; MB/s = 65.5 / ms). Byte-level
 * BPE runs with a warm word cache after the first iteration, as a server would. Run from the repository root:
 * <pre>
 * ./mvnw -q -B -o -pl model -am test-compile
 * ./mvnw -q -B -o -pl model dependency:build-classpath -Dmdep.outputFile=/tmp/model.cp -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -Dbraid.shared=../shared \
 *   -cp model/target/test-classes:model/target/classes:$(cat /tmp/model.cp) org.openjdk.jmh.Main TokenizerBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TokenizerBench {

    @Param({"llama2-bin-runc", "llama-spm-gguf", "gpt-2", "deepseek-llm"})
    public String tokenizer;

    private Tokenizer tok;
    private String text;

    @Setup
    public void setup() throws IOException {
        tok = switch (tokenizer) {
            case "llama2-bin-runc" -> Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 32000);
            case "llama-spm-gguf" -> TestVectors.gguf("llama-spm");
            default -> TestVectors.gguf(tokenizer);
        };
        text = Files.readString(TestVectors.shared("data/tinyshakespeare.txt")).substring(0, 65_536);
    }

    @Benchmark
    public int[] encode() {
        return tok.encode(text);
    }
}
