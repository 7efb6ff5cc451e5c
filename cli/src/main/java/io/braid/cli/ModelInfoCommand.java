package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.llama.Flops;
import io.braid.model.llama.LlamaConfig;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.TensorSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code braid model info FILE}: what a model file holds — shape, tensor types, parameters, FLOPs per token. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model file's architecture, shapes, tensor types, parameter count and FLOPs per token.")
public final class ModelInfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "GGUF file or llama2.c checkpoint")
    Path file;

    @Override
    public Integer call() {
        try (LlamaModel model = LlamaModel.open(file)) {
            print(model, System.out);
            return 0;
        } catch (ModelFormatException | IllegalArgumentException | UncheckedIOException e) {
            System.err.println("braid model info: " + e.getMessage());
            return 1;
        }
    }

    private void print(LlamaModel model, PrintStream out) {
        LlamaConfig c = model.config();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.printf("file          %s (%s)%n", file, bytes(size));
        out.printf("format        %s%n", model.gguf().map(g -> "GGUF v" + g.version()).orElse("llama2.c checkpoint"));
        out.printf("architecture  %s (RoPE %s, theta %s; RMSNorm eps %s; %s head)%n", c.architecture(),
                c.ropeLayout().name().toLowerCase(Locale.ROOT).replace('_', '-'), c.ropeTheta(), c.rmsEps(),
                c.tiedHead() ? "tied" : "separate");
        out.printf("shape         dim %d, hidden %d, layers %d, heads %d, kv heads %d, head size %d, vocab %d, context %d%n",
                c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(), c.headSize(), c.vocabSize(), c.contextLength());
        Map<String, long[]> byType = new TreeMap<>();
        int count = 0;
        for (TensorSummary t : model.tensors()) {
            long[] agg = byType.computeIfAbsent(t.type(), k -> new long[3]);
            agg[0]++;
            agg[1] += t.elements();
            agg[2] += t.bytes();
            count++;
        }
        StringBuilder types = new StringBuilder();
        byType.forEach((type, agg) -> types.append(types.isEmpty() ? "" : ", ")
                .append(type).append(' ').append(agg[0]).append(" (").append(bytes(agg[2])).append(')'));
        out.printf("tensors       %d: %s%n", count, types);
        out.printf("parameters    %,d (%s)%n", c.parameterCount(), human(c.parameterCount(), ""));
        out.printf("FLOPs/token   %,d at position 0; %,.0f mean over the %d-position context (%s)%n",
                Flops.token(c, 0), Flops.meanPerToken(c), c.contextLength(), "docs/flops.md");
        out.printf("KV cache      %s per session at full context%n",
                bytes(io.braid.model.llama.KvCache.bytesFor(c, c.layers(), c.contextLength())));
    }

    static String bytes(long n) {
        return human(n, "B") + (n >= 1024 ? " = " + String.format(Locale.ROOT, "%,d B", n) : "");
    }

    private static String human(double n, String unit) {
        String[] prefixes = {"", "K", "M", "G", "T"};
        int i = 0;
        while (n >= 1000 && i < prefixes.length - 1) {
            n /= 1000;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0f %s", n, unit).strip()
                : String.format(Locale.ROOT, "%.2f %s%s", n, prefixes[i], unit);
    }
}
