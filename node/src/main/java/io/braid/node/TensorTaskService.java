package io.braid.node;

import com.google.protobuf.ByteString;
import io.braid.crypto.Hashes;
import io.braid.protocol.EnvelopeSigner;
import io.braid.protocol.WireCodecs;
import io.braid.protocol.v1.Activations;
import io.braid.protocol.v1.Forward;
import io.braid.protocol.v1.ForwardResult;
import io.braid.protocol.v1.OpenSession;
import io.braid.protocol.v1.Opened;
import io.braid.protocol.v1.Refused;
import io.braid.protocol.v1.Signed;
import io.braid.protocol.v1.TaskReply;
import io.braid.protocol.v1.TaskRequest;
import io.braid.protocol.v1.TensorTasksGrpc;
import io.braid.tensor.codec.ActivationCodec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The node's tensor-task stream: one gRPC stream per (session, span), every reply signed. */
final class TensorTaskService extends TensorTasksGrpc.TensorTasksImplBase {
    private final Supplier<SpanHost> host;
    private final Supplier<Boolean> draining;
    private final EnvelopeSigner signer;
    private final Faults faults;
    private final AtomicLong forwards = new AtomicLong();
    private final TaskCommitter committer; // proof of compute: a signed commitment with every result

    TensorTaskService(Supplier<SpanHost> host, Supplier<Boolean> draining, EnvelopeSigner signer, Faults faults) {
        this.host = host;
        this.draining = draining;
        this.signer = signer;
        this.faults = faults;
        this.committer = new TaskCommitter(signer.identity());
    }

    @Override
    public StreamObserver<TaskRequest> session(StreamObserver<Signed> out) {
        return new StreamObserver<>() {
            SpanHost h;
            SpanHost.Session s;
            String sessionId = "";
            ActivationCodec replyCodec = ActivationCodec.FP32;
            final TaskCommitter.Chain chain = new TaskCommitter.Chain();
            boolean done;

            @Override
            public void onNext(TaskRequest req) {
                if (done) return;
                switch (req.getBodyCase()) {
                    case OPEN -> open(req.getOpen());
                    case FORWARD -> forward(req.getForward());
                    case CLOSE -> {
                        finish();
                        out.onCompleted();
                    }
                    default -> refuse("empty task request", false);
                }
            }

            private void open(OpenSession o) {
                sessionId = o.getSessionId();
                if (s != null) {
                    refuse("session already open on this stream", false);
                    return;
                }
                SpanHost current = host.get();
                if (draining.get()) {
                    refuse("node is draining (shutting down)", true);
                    return;
                }
                if (current == null) {
                    refuse("node has no span loaded yet", true);
                    return;
                }
                try {
                    replyCodec = WireCodecs.fromWire(o.getReplyCodec());
                    s = current.open(o.getSessionId(), o.getModelId(), o.getFromLayer(), o.getToLayer(), o.getMaxPositions());
                    h = current;
                    send(TaskReply.newBuilder().setOpened(Opened.newBuilder().setSessionId(sessionId)
                            .setFromLayer(o.getFromLayer()).setToLayer(o.getToLayer())).build());
                } catch (RefusedException e) {
                    refuse(e.getMessage(), e.retryable());
                } catch (IllegalArgumentException e) {
                    refuse(e.getMessage(), false);
                }
            }

            private void forward(Forward f) {
                if (s == null) {
                    refuse("forward before a session was opened", false);
                    return;
                }
                Activations in = f.getInput();
                float[] x;
                try {
                    x = WireCodecs.unpack(in, in.getRows(), h.dim());
                    if (in.getRows() < 1) throw new IllegalArgumentException("a forward needs at least one row");
                } catch (IllegalArgumentException e) {
                    refuse("malformed input: " + e.getMessage(), false);
                    return;
                }
                Batcher.Batch batch;
                try {
                    batch = h.forward(s, x, in.getRows(), f.getStartPosition());
                } catch (RefusedException e) {
                    refuse(e.getMessage(), e.retryable());
                    return;
                }
                ForwardResult.Builder r = ForwardResult.newBuilder().setSessionId(sessionId).setStep(f.getStep())
                        .setStartPosition(f.getStartPosition()).setRows(in.getRows())
                        .setInputSha256(ByteString.copyFrom(Hashes.sha256(in.getData().toByteArray()).bytes()))
                        .setBatchRows(batch.rows()).setBatchSessions(batch.sessions());
                byte[] inBytes = in.getData().toByteArray();
                if (!f.getReplay()) {
                    x = faults.output(forwards.get() + 1, x);
                    Activations outAct = WireCodecs.pack(replyCodec, x, 0, in.getRows(), h.dim());
                    r.setOutput(outAct).setOutputSha256(ByteString.copyFrom(Hashes.sha256(outAct.getData().toByteArray()).bytes()));
                    r.setCommitment(ByteString.copyFrom(committer.commit(h.modelPath(), h.mode(), s.from(), s.to(), chain, sessionId,
                            f.getStep(), f.getStartPosition(), in.getRows(), h.dim(), inBytes, x, outAct.getData().toByteArray(),
                            f.getNonce().toByteArray())));
                }
                chain.advance(inBytes);
                switch (faults.onForward(forwards.incrementAndGet())) {
                    case NONE -> send(TaskReply.newBuilder().setResult(r).build());
                    case HANG -> { /* never reply: the gateway's deadline must fire */ }
                    case MALFORMED_OUTPUT -> {
                        byte[] bad = r.getOutput().getData().toByteArray();
                        r.setOutput(r.getOutput().toBuilder().setData(ByteString.copyFrom(bad, 0, Math.max(0, bad.length - 3))));
                        send(TaskReply.newBuilder().setResult(r).build());
                    }
                    case BAD_SIGNATURE -> {
                        Signed good = signer.sign(TaskReply.newBuilder().setResult(r).build());
                        byte[] sig = good.getSignature().toByteArray();
                        sig[0] ^= 1;
                        out.onNext(good.toBuilder().setSignature(ByteString.copyFrom(sig)).build());
                    }
                    case CRASH_STREAM -> {
                        finish();
                        out.onError(Status.INTERNAL.withDescription("injected fault").asRuntimeException());
                    }
                }
            }

            private void refuse(String reason, boolean retryable) {
                send(TaskReply.newBuilder().setRefused(Refused.newBuilder().setSessionId(sessionId).setReason(reason)
                        .setRetryable(retryable)).build());
            }

            private void send(TaskReply reply) {
                if (!done) out.onNext(signer.sign(reply));
            }

            private void finish() {
                done = true;
                if (h != null) h.close(s);
            }

            @Override
            public void onError(Throwable t) {
                finish();
            }

            @Override
            public void onCompleted() {
                if (!done) {
                    finish();
                    out.onCompleted();
                }
            }
        };
    }
}
