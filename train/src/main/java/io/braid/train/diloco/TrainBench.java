package io.braid.train.diloco;

import io.braid.train.AdamW;
import io.braid.train.ModelShape;
import io.braid.train.TokenDataset;
import io.braid.train.TrainModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Synchronous data-parallel vs DiLoCo at equal total compute: every run takes the same number of inner
 * steps per worker with the same batch, model, data shards, seed and inner schedule; DiLoCo runs differ
 * only in H and the codec. Reports final validation loss and total bytes communicated (both directions).
 */
public final class TrainBench {

    /**
     * @param stepsPerWorker inner steps per worker (each H must divide it)
     * @param evalWindows    validation windows for the final loss (all of the split when large)
     */
    public record Config(ModelShape shape, int seqLen, int batch, int stepsPerWorker, int workers, List<Integer> hs,
                         List<String> codecs, float lr, float minLr, int warmup, float outerLr, float outerMomentum, long seed,
                         int threads, int evalWindows) {
        public Config {
            hs = List.copyOf(hs);
            codecs = List.copyOf(codecs);
            for (int h : hs) {
                if (h < 1 || stepsPerWorker % h != 0) {
                    throw new IllegalArgumentException("H=" + h + " must divide the steps per worker (" + stepsPerWorker
                            + ") so every run does the same compute");
                }
            }
        }

        JobSpec job(int h, String codec) {
            return new JobSpec(shape, seqLen, batch, h, stepsPerWorker / h, lr, minLr, warmup, 1f, AdamW.Config.defaults(), outerLr,
                    outerMomentum, codec, workers, seed);
        }
    }

    /** One line of the table. */
    public record Row(String method, int h, String codec, double validationLoss, long bytes, double seconds, long tokens) {
    }

    private TrainBench() {
    }

    public static List<Row> run(Config c, TokenDataset data, PrintStream progress) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        try (TrainModel eval = new TrainModel(c.shape(), c.threads())) {
            java.util.function.ToDoubleFunction<float[]> val = w -> data.validationLoss(eval, w, c.seqLen(), c.evalWindows());
            long t0 = System.nanoTime();
            TrainResult sync = SyncDataParallel.run(c.job(c.hs().isEmpty() ? c.stepsPerWorker() : c.hs().getFirst(), "fp32"), data,
                    c.workers(), c.threads(), c.stepsPerWorker(), val);
            rows.add(row("sync-dp", 1, "fp32", sync, t0));
            progress.println(line(rows.getLast(), rows.getFirst()));
            for (int h : c.hs()) {
                for (String codec : c.codecs()) {
                    t0 = System.nanoTime();
                    TrainResult r;
                    try (InProcessDiloco job = new InProcessDiloco(data, 1)) {
                        for (int i = 0; i < c.workers(); i++) {
                            job.startWorker(String.format(Locale.ROOT, "w%02d", i));
                        }
                        r = job.run(c.job(h, codec), new DilocoCoordinator.Options(c.workers(), 3_600_000, 1, 600_000, 0), val, null);
                        if (!job.failures().isEmpty()) {
                            throw new IllegalStateException("a worker failed: " + job.failures().getFirst().getMessage());
                        }
                    }
                    rows.add(row("diloco", h, codec, r, t0));
                    progress.println(line(rows.getLast(), rows.getFirst()));
                }
            }
        }
        return rows;
    }

    private static Row row(String method, int h, String codec, TrainResult r, long t0) {
        return new Row(method, h, codec, r.history().getLast().validationLoss(), r.bytesTotal(), (System.nanoTime() - t0) / 1e9, r.tokens());
    }

    /** The header of {@link #line}. */
    public static String header() {
        return String.format(Locale.ROOT, "%-8s %5s %-10s %9s %9s %14s %10s %8s %9s", "method", "H", "codec", "val loss", "vs sync",
                "bytes", "reduction", "tokens", "seconds");
    }

    public static String line(Row r, Row sync) {
        double vs = (r.validationLoss() / sync.validationLoss() - 1) * 100;
        double reduction = (double) sync.bytes() / r.bytes();
        return String.format(Locale.ROOT, "%-8s %5s %-10s %9.4f %+8.2f%% %14d %9.0fx %8d %9.1f", r.method(),
                r.method().equals("sync-dp") ? "-" : Integer.toString(r.h()), r.codec(), r.validationLoss(), vs, r.bytes(), reduction,
                r.tokens(), r.seconds());
    }

    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(header()).append('\n');
        for (Row r : rows) {
            sb.append(line(r, rows.getFirst())).append('\n');
        }
        return sb.toString();
    }
}
