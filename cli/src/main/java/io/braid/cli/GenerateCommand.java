package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.llama.Generation;
import io.braid.model.llama.Generator;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.LocalSpanChain;
import io.braid.model.llama.Sampler;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.tensor.Compute;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code braid generate}: one process, no network — the reference path. At temperature 0 its stdout is byte for byte
 * what llama2.c's run.c prints (prompt pieces, then generated pieces, then a newline); statistics go to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt with a GGUF or llama2.c model, in this process.")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "GGUF file or llama2.c checkpoint (.bin)")
    Path model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer.bin (required for .bin checkpoints; "
            + "default for GGUF: the tokenizer in the file's metadata)")
    Path tokenizer;

    @Option(names = {"--prompt", "-i"}, defaultValue = "", description = "prompt text (default: empty)")
    String prompt;

    @Option(names = {"--steps", "-n"}, defaultValue = "256", description = "positions to run including the prompt, "
            + "like run.c's -n; 0 or more than the context means the whole context (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = {"--temperature", "-t"}, defaultValue = "1.0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = {"--top-p", "-p"}, defaultValue = "0.9", description = "nucleus mass; 1 disables (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens; 0 disables (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = {"--seed", "-s"}, description = "sampling seed (default: from the clock, printed on stderr)")
    Long seed;

    @Mixin
    ComputeOptions computeOptions;

    @Override
    public Integer call() {
        try {
            return generate(System.out, System.err);
        } catch (ModelFormatException | IllegalArgumentException | UncheckedIOException e) {
            System.out.flush();
            System.err.println("braid generate: " + e.getMessage());
            return 1;
        }
    }

    private int generate(PrintStream out, PrintStream err) {
        Compute.Mode computeMode = computeOptions.mode();
        int nThreads = computeOptions.threads();
        long actualSeed = seed != null ? seed : System.nanoTime();
        try (LlamaModel m = LlamaModel.open(model); Compute compute = new Compute(nThreads, computeMode)) {
            LlamaConfig config = m.config();
            Tokenizer tok = EngineOptions.tokenizer(m, tokenizer);
            int[] ids = EngineOptions.promptIds(tok, prompt);
            int n = steps <= 0 || steps > config.contextLength() ? config.contextLength() : steps;
            if (ids.length > config.contextLength()) {
                throw new IllegalArgumentException("the prompt is " + ids.length + " tokens but " + model
                        + " has a context of " + config.contextLength() + " positions; shorten the prompt");
            }
            Generator generator = new Generator(m.embedding(), m.head(), compute, tok.bos(), tok.eos());
            Sampler sampler = new Sampler(temperature, topP, topK, actualSeed);
            TokenPrinter printer = new TokenPrinter(tok, out, ids[0], tokenizer != null);
            if (!tok.addBos()) {
                printer.print(ids[0]); // no BOS: the first prompt token is text too
            }
            Generation g = generator.generate(new LocalSpanChain(java.util.List.of(m.span(0, config.layers())),
                    compute, Math.max(n, 1)), ids, n, sampler, (pos, token, fromPrompt) -> printer.print(token));
            out.print('\n');
            out.flush();
            report(err, g, nThreads, computeMode, actualSeed);
            return 0;
        }
    }

    private void report(PrintStream err, Generation g, int nThreads, Compute.Mode computeMode, long actualSeed) {
        double prefillS = g.prefillNanos() / 1e9;
        double decodeS = g.decodeNanos() / 1e9;
        double total = prefillS + decodeS;
        err.printf("achieved tok/s: %.2f (%d tokens in %.3f s; prompt %d tokens %.3f s, decode %d steps %.2f tok/s; "
                        + "%d threads, %s, seed %d, stop %s)%n",
                total > 0 ? g.tokens().length / total : 0, g.tokens().length, total, g.promptTokens() + 1, prefillS,
                g.decodeSteps(), decodeS > 0 ? g.decodeSteps() / decodeS : 0, nThreads,
                computeMode.name().toLowerCase(java.util.Locale.ROOT), actualSeed, g.stop());
    }

    /**
     * Prints each token's piece: leading space stripped after BOS, {@code <0xXX>} pieces as that byte. With a llama2.c
     * tokenizer it is exactly run.c's {@code safe_printf} (a lone non-printable byte, including 0x80..0xFF, is
     * dropped); with a GGUF tokenizer bytes are written raw like llama.cpp, so multi-byte UTF-8 text survives.
     */
    private static final class TokenPrinter {
        private final Tokenizer tok;
        private final PrintStream out;
        private final boolean runC;
        private int prev;

        TokenPrinter(Tokenizer tok, PrintStream out, int first, boolean runC) {
            this.tok = tok;
            this.out = out;
            this.prev = first;
            this.runC = runC;
        }

        boolean print(int token) {
            byte[] bytes = runC ? tok.printBytes(prev, token) : tok.decodeBytes(prev, token);
            prev = token;
            try {
                out.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.flush();
            return !out.checkError();
        }
    }
}
