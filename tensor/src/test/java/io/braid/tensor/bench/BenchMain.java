package io.braid.tensor.bench;

import io.braid.tensor.TensorType;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the tensor JMH benchmarks and prints matvec GB/s and matmul GFLOP/s. Arguments are JMH's
 * (e.g. {@code -p batch=1 -p type=Q8_0 MatmulBench}); see docs/performance.md for the command line.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = new OptionsBuilder().parent(new CommandLineOptions(args)).build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.printf("%-26s %6s %5s %-13s %7s %12s %9s %10s%n", "benchmark", "type", "batch", "mode", "threads",
                "us/op", "GB/s", "GFLOP/s");
        for (RunResult r : results) {
            var p = r.getParams();
            if (p.getBenchmark().endsWith("forward")) {
                int batch = Integer.parseInt(p.getParam("batch"));
                double ms = r.getPrimaryResult().getScore();
                System.out.printf("%-26s %6s %5d %-13s %7s %12.1f ms/step -> %.1f tokens/s (matmuls only)%n",
                        "TinyLlama-1.1B matmuls", p.getParam("type"), batch, p.getParam("mode"), p.getParam("threads"),
                        ms, batch * 1000 / ms);
                continue;
            }
            if (!p.getBenchmark().endsWith("matmul")) {
                continue;
            }
            TensorType t = TensorType.valueOf(p.getParam("type"));
            long rows = Long.parseLong(p.getParam("rows"));
            long cols = Long.parseLong(p.getParam("cols"));
            int batch = Integer.parseInt(p.getParam("batch"));
            double us = r.getPrimaryResult().getScore();
            double gbs = t.byteSize(rows * cols) / (us * 1e3);
            double gflops = 2.0 * rows * cols * batch / (us * 1e3);
            System.out.printf("%-26s %6s %5d %-13s %7s %12.1f %9.2f %10.2f%n", "MatmulBench " + rows + "x" + cols, t, batch,
                    p.getParam("mode"), p.getParam("threads"), us, gbs, gflops);
        }
    }
}
