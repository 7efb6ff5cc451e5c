package io.braid.train.diloco;

import io.braid.train.AdamW;
import io.braid.train.LrSchedule;
import io.braid.train.TokenDataset;
import io.braid.train.TrainModel;
import io.braid.train.codec.ErrorFeedback;
import io.braid.train.codec.PseudoGradientCodec;
import java.util.SplittableRandom;

/**
 * One DiLoCo worker: joins, receives the job and current weights, then repeats: H inner AdamW steps on
 * its own data shard, send the encoded pseudo-gradient (with error feedback), apply the broadcast weight
 * deltas. Inner optimizer state and the error-feedback residual live only here, so a killed worker loses
 * exactly its current round.
 */
public final class DilocoWorker implements Runnable {

    private final String id;
    private final WorkerTransport link;
    private final TokenDataset data;
    private final int threads;
    private final long idleTimeoutMillis;
    private volatile boolean killed;
    private volatile int roundsDone;
    private volatile Throwable failure;

    /**
     * @param idleTimeoutMillis how long to wait for the coordinator before giving up
     */
    public DilocoWorker(String id, WorkerTransport link, TokenDataset data, int threads, long idleTimeoutMillis) {
        this.id = id;
        this.link = link;
        this.data = data;
        this.threads = threads;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    public String id() {
        return id;
    }

    /** Stops the worker at its next inner step without sending anything, as if its process died. */
    public void kill() {
        killed = true;
    }

    /** Inner rounds completed and sent. */
    public int roundsDone() {
        return roundsDone;
    }

    /** Why the worker stopped abnormally, or null. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            work();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            link.send(new ToCoordinator.Left(id, "worker failed: " + e.getMessage()));
        }
    }

    private ToWorker next() throws InterruptedException {
        ToWorker m = link.poll(idleTimeoutMillis);
        if (m == null) {
            throw new IllegalStateException("worker " + id + ": no message from the coordinator for " + idleTimeoutMillis + " ms");
        }
        return m;
    }

    private void work() throws InterruptedException {
        link.send(new ToCoordinator.Join(id));
        ToWorker first = next();
        if (!(first instanceof ToWorker.Assign assign)) {
            return; // Finish before admission
        }
        JobSpec spec = assign.spec();
        PseudoGradientCodec codec = spec.parsedCodec();
        io.braid.train.ParamLayout layout = new io.braid.train.ParamLayout(spec.shape());
        float[] replica;
        if (assign.weights().length == 0) {
            replica = layout.initialize(spec.seed()); // a fresh job: every worker derives the same weights from the seed
        } else {
            replica = new float[layout.size()];
            new PseudoGradientCodec.Fp32().decode(assign.weights(), replica);
        }
        long version = assign.version();
        LrSchedule schedule = spec.schedule();
        try (TrainModel model = new TrainModel(spec.shape(), threads)) {
            AdamW adam = new AdamW(model.layout(), spec.adam());
            ErrorFeedback feedback = new ErrorFeedback(codec, replica.length);
            float[] local = new float[replica.length];
            float[] grad = new float[replica.length];
            float[] delta = new float[replica.length];
            while (true) {
                System.arraycopy(replica, 0, local, 0, replica.length);
                SplittableRandom rnd = new SplittableRandom(spec.batchSeed(assign.stream(), version));
                double lossSum = 0;
                for (int i = 0; i < spec.innerSteps(); i++) {
                    if (killed) {
                        return;
                    }
                    int[][] batch = data.sample(assign.shard(), spec.shards(), spec.batch(), spec.seqLen(), rnd);
                    lossSum += model.lossAndGradient(local, batch, grad);
                    AdamW.clipGlobalNorm(grad, spec.clipNorm());
                    adam.step(local, grad, schedule.at(version * spec.innerSteps() + i));
                }
                for (int i = 0; i < local.length; i++) {
                    delta[i] = replica[i] - local[i];
                }
                long tokens = (long) spec.innerSteps() * spec.batch() * spec.seqLen();
                link.send(new ToCoordinator.Update(id, version, feedback.encode(delta), lossSum / spec.innerSteps(), tokens));
                roundsDone++;
                // Wait for at least the next broadcast, then apply any further ones already queued.
                ToWorker m = next();
                while (m != null) {
                    if (killed) {
                        return;
                    }
                    switch (m) {
                        case ToWorker.Finish f -> {
                            return;
                        }
                        case ToWorker.Delta d -> {
                            if (d.version() != version + 1) {
                                throw new IllegalStateException("worker " + id + ": broadcast " + d.version() + " after " + version);
                            }
                            codec.decode(d.payload(), delta);
                            for (int i = 0; i < replica.length; i++) {
                                replica[i] += delta[i];
                            }
                            version = d.version();
                        }
                        case ToWorker.Assign a -> throw new IllegalStateException("worker " + id + ": assigned twice");
                    }
                    m = link.poll(0);
                }
            }
        }
    }
}
