package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.train.AdamW;
import io.braid.train.Checkpoint;
import io.braid.train.ModelShape;
import io.braid.train.TokenDataset;
import io.braid.train.TrainModel;
import io.braid.train.diloco.DilocoCoordinator;
import io.braid.train.diloco.InProcessDiloco;
import io.braid.train.diloco.JobSpec;
import io.braid.train.diloco.OuterStep;
import io.braid.train.diloco.TrainResult;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code braid train}: trains a Llama model with DiLoCo on local worker threads (the same coordinator and
 * worker code that runs across nodes) and writes a GGUF checkpoint that {@code braid generate} loads.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a Llama model with DiLoCo (M workers, H inner AdamW steps, compressed pseudo-gradients, outer Nesterov) "
                + "on local worker threads and write a GGUF checkpoint (`braid generate --model OUT` runs it).")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    TrainOptions train = new TrainOptions();

    @Option(names = "--out", required = true, description = "checkpoint to write (GGUF, F32, tokenizer embedded)")
    Path out;

    @Option(names = "--init", description = "continue from this llama F32 GGUF (e.g. an earlier checkpoint) instead of random weights")
    Path init;

    @Option(names = "--workers", defaultValue = "4", description = "M, workers (each its own data shard) (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--steps", defaultValue = "1000", description = "inner steps per worker in total (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--h", defaultValue = "100", description = "H, inner steps per outer step (default: ${DEFAULT-VALUE})")
    int h;

    @Option(names = "--codec", defaultValue = "int8", description = "fp32, int8[:block], int4[:block] or topk[:density] (default: ${DEFAULT-VALUE})")
    String codec;

    @Option(names = "--seq", defaultValue = "64", description = "training window in tokens (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(names = "--batch", defaultValue = "4", description = "sequences per worker step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--eval-windows", defaultValue = "64", description = "validation windows per evaluation (default: ${DEFAULT-VALUE})")
    int evalWindows;

    @Override
    public Integer call() throws Exception {
        try {
            if (steps % h != 0) {
                throw new IllegalArgumentException("--h " + h + " must divide --steps " + steps);
            }
            Tokenizer tok = train.loadTokenizer();
            TokenDataset data = train.loadData(tok);
            ModelShape shape = train.shape();
            float[] initial = null;
            if (init != null) {
                Checkpoint.Loaded loaded = Checkpoint.read(init);
                shape = loaded.shape();
                initial = loaded.params();
            }
            JobSpec spec = new JobSpec(shape, seq, batch, h, steps / h, train.lr, train.lr / 10, train.warmup, 1f, AdamW.Config.defaults(),
                    train.outerLr, train.outerMomentum, codec, workers, train.seed);
            System.err.printf(Locale.ROOT, "data: %d training / %d validation tokens; unigram baseline %.4f nats%n", data.trainTokens(),
                    data.validationTokens(), data.unigramEntropy());
            long start = System.nanoTime();
            TrainResult r;
            try (TrainModel eval = new TrainModel(shape, 1); InProcessDiloco job = new InProcessDiloco(data, 1)) {
                for (int i = 0; i < workers; i++) {
                    job.startWorker(String.format(Locale.ROOT, "w%02d", i));
                }
                DilocoCoordinator.Options options = new DilocoCoordinator.Options(workers, 3_600_000, 1, 600_000, 1);
                java.util.function.Consumer<OuterStep> progress = s -> {
                    double secs = (System.nanoTime() - start) / 1e9;
                    System.err.printf(Locale.ROOT, "outer %d/%d  train %.4f  val %.4f  %.0f tokens/s  sent %d bytes%n", s.version(),
                            spec.outerSteps(), s.trainLoss(), s.validationLoss(), s.tokens() / secs, s.bytesUp() + s.bytesDown());
                };
                java.util.function.ToDoubleFunction<float[]> val = w -> data.validationLoss(eval, w, seq, evalWindows);
                r = initial == null ? job.run(spec, options, val, progress) : job.run(spec, initial, options, val, progress);
            }
            Checkpoint.write(out, shape, r.weights(), tok, "braid-diloco");
            System.out.printf(Locale.ROOT, "wrote %s: validation loss %.4f after %d tokens (%.3e training FLOPs), %d bytes communicated%n",
                    out, r.history().getLast().validationLoss(), r.tokens(), (double) io.braid.train.TrainFlops.ofTokens(shape, seq, r.tokens()),
                    r.bytesTotal());
            return 0;
        } catch (IllegalArgumentException | ModelFormatException e) {
            System.err.println("braid train: " + e.getMessage());
            return 2;
        }
    }
}
