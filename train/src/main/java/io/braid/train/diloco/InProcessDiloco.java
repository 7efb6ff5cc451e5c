package io.braid.train.diloco;

import io.braid.train.TokenDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * A DiLoCo job with the coordinator in the calling thread and each worker on its own platform thread,
 * over {@link InProcessTransport}: the same coordinator and worker code a node deployment runs.
 */
public final class InProcessDiloco implements AutoCloseable {

    private final InProcessTransport transport = new InProcessTransport();
    private final TokenDataset data;
    private final int threadsPerWorker;
    private final List<DilocoWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public InProcessDiloco(TokenDataset data, int threadsPerWorker) {
        this.data = data;
        this.threadsPerWorker = threadsPerWorker;
    }

    /** Starts a worker that joins the job (admitted at the next outer boundary). */
    public synchronized DilocoWorker startWorker(String id) {
        DilocoWorker w = new DilocoWorker(id, transport.connect(id), data, threadsPerWorker, 600_000);
        Thread t = Thread.ofPlatform().name("diloco-" + id).daemon().start(w);
        workers.add(w);
        threads.add(t);
        return w;
    }

    /** Kills a worker as a crashed process: it stops mid-round and its connection drops. */
    public void kill(DilocoWorker w) {
        w.kill();
        transport.disconnect(w.id(), "killed");
    }

    public InProcessTransport transport() {
        return transport;
    }

    /** Runs the coordinator to the end of the job. */
    public TrainResult run(JobSpec spec, DilocoCoordinator.Options options, ToDoubleFunction<float[]> evaluator,
                           Consumer<OuterStep> listener) throws InterruptedException {
        return new DilocoCoordinator(spec, transport, options, evaluator, listener).run();
    }

    /** Runs the coordinator from given weights (continuing a checkpoint). */
    public TrainResult run(JobSpec spec, float[] initial, DilocoCoordinator.Options options, ToDoubleFunction<float[]> evaluator,
                           Consumer<OuterStep> listener) throws InterruptedException {
        return new DilocoCoordinator(spec, transport, options, evaluator, listener).run(initial);
    }

    /** Workers that stopped with an error (none in a healthy run). */
    public synchronized List<Throwable> failures() {
        List<Throwable> out = new ArrayList<>();
        for (DilocoWorker w : workers) {
            if (w.failure() != null) {
                out.add(w.failure());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (DilocoWorker w : workers) {
            w.kill();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
