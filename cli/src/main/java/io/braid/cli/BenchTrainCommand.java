package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.train.TokenDataset;
import io.braid.train.diloco.TrainBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code braid bench train}: synchronous data-parallel vs DiLoCo (H, codec) at equal compute. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Synchronous data-parallel (fp32 gradients every step) vs DiLoCo at equal total compute, in-process workers: "
                + "final validation loss and total bytes communicated (both directions), as a table.")
public final class BenchTrainCommand implements Callable<Integer> {

    @Mixin
    TrainOptions train = new TrainOptions();

    @Option(names = "--steps", defaultValue = "1000", description = "inner steps per worker for every run (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--h", split = ",", defaultValue = "50,100,500", description = "DiLoCo inner steps per outer step (default: ${DEFAULT-VALUE})")
    List<Integer> hs;

    @Option(names = "--codecs", split = ",", defaultValue = "fp32,int8,int4",
            description = "pseudo-gradient codecs: fp32, int8[:block], int4[:block], topk[:density] (default: ${DEFAULT-VALUE})")
    List<String> codecs;

    @Option(names = "--workers", defaultValue = "4", description = "M, workers / data shards (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--seq", defaultValue = "32", description = "training window in tokens (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--batch", defaultValue = "1", description = "sequences per worker step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "threads for data-parallel steps and evaluation (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--eval-windows", defaultValue = "1000000", description = "validation windows for the final loss (default: all)")
    int evalWindows;

    @Override
    public Integer call() throws Exception {
        try {
            Tokenizer tok = train.loadTokenizer();
            TokenDataset data = train.loadData(tok);
            TrainBench.Config c = new TrainBench.Config(train.shape(), seq, batch, steps, workers, hs, codecs, train.lr, train.lr / 10,
                    train.warmup, train.outerLr, train.outerMomentum, train.seed, threads, evalWindows);
            System.out.printf("data: %d training / %d validation tokens; unigram baseline (validation) %.4f nats%n", data.trainTokens(),
                    data.validationTokens(), data.unigramEntropy());
            System.out.printf("model: dim %d hidden %d layers %d heads %d/%d vocab %d; %d workers x %d steps x %d x %d tokens per run%n",
                    train.dim, train.hidden, train.layers, train.heads, train.kvHeads, train.vocab, workers, steps, batch, seq);
            System.out.printf("compute per run (forward+backward, docs/flops.md): %.3e FLOPs%n",
                    (double) io.braid.train.TrainFlops.ofTokens(train.shape(), seq, (long) workers * steps * batch * seq));
            System.out.println(TrainBench.header());
            List<TrainBench.Row> rows = TrainBench.run(c, data, System.out);
            TrainBench.Row sync = rows.getFirst();
            TrainBench.Row best = null;
            for (TrainBench.Row r : rows) {
                boolean ok = r != sync && r.validationLoss() <= sync.validationLoss() * 1.03 && sync.bytes() >= 1000L * r.bytes();
                if (ok && (best == null || r.bytes() < best.bytes())) {
                    best = r;
                }
            }
            System.out.println(best == null ? "target (>= 1000x fewer bytes, loss within 3%): not met by any run"
                    : String.format("target (>= 1000x fewer bytes, loss within 3%%): met by DiLoCo H=%d %s (%.0fx fewer bytes, %+.2f%% loss)",
                    best.h(), best.codec(), (double) sync.bytes() / best.bytes(), (best.validationLoss() / sync.validationLoss() - 1) * 100));
            return 0;
        } catch (IllegalArgumentException | ModelFormatException e) {
            System.err.println("braid bench train: " + e.getMessage());
            return 2;
        }
    }
}
