package io.braid.gateway.cluster;

import com.google.protobuf.ByteString;
import io.braid.crypto.Hashes;
import io.braid.protocol.EnvelopeVerifier;
import io.braid.protocol.RejectedMessageException;
import io.braid.protocol.v1.Activations;
import io.braid.protocol.v1.CloseSession;
import io.braid.protocol.v1.Forward;
import io.braid.protocol.v1.ForwardResult;
import io.braid.protocol.v1.OpenSession;
import io.braid.protocol.v1.Signed;
import io.braid.protocol.v1.TaskReply;
import io.braid.protocol.v1.TaskRequest;
import io.braid.protocol.v1.TensorTasksGrpc;
import io.braid.tensor.codec.ActivationCodec;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One session's stream to one node for one layer range. Calls are synchronous with a deadline; every
 * reply must be a valid signature by that node's key, fresh, not replayed, and must match the request
 * (session, step, positions, input hash, output shape and finite values) — otherwise {@link HopFailure}.
 */
final class HopStream implements AutoCloseable {
    private static final Object COMPLETED = new Object();

    final Router.Hop hop;
    private final String sessionId;
    private final EnvelopeVerifier verifier;
    private final ActivationCodec codec;
    private final int dim;
    private final LinkedBlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    private final StreamObserver<TaskRequest> requests;
    private int positions; // KV positions the node holds for this session
    private boolean broken;
    private boolean counted; // counted in the node's openSessions (the registry keeps busy nodes in place)

    HopStream(Router.Hop hop, String sessionId, String modelId, int maxPositions, ActivationCodec codec, int dim,
              EnvelopeVerifier verifier, long deadlineNanos) throws HopFailure {
        this.hop = hop;
        this.sessionId = sessionId;
        this.verifier = verifier;
        this.codec = codec;
        this.dim = dim;
        this.requests = TensorTasksGrpc.newStub(hop.node().channel).session(new StreamObserver<>() {
            @Override
            public void onNext(Signed value) {
                replies.add(value);
            }

            @Override
            public void onError(Throwable t) {
                replies.add(t);
            }

            @Override
            public void onCompleted() {
                replies.add(COMPLETED);
            }
        });
        TaskReply r;
        try {
            r = call(TaskRequest.newBuilder().setOpen(OpenSession.newBuilder().setSessionId(sessionId).setModelId(modelId)
                .setFromLayer(hop.from()).setToLayer(hop.to()).setMaxPositions(maxPositions)
                .setReplyCodec(io.braid.protocol.WireCodecs.toWire(codec))).build(), deadlineNanos);
        } catch (HopFailure f) {
            close();
            throw f;
        }
        if (!r.hasOpened() || !r.getOpened().getSessionId().equals(sessionId) || r.getOpened().getFromLayer() != hop.from()
                || r.getOpened().getToLayer() != hop.to())
        {
            HopFailure f = invalid("open answered with " + r.getBodyCase());
            close();
            throw f;
        }
        hop.node().openSessions.incrementAndGet();
        counted = true;
    }

    int positions() {
        return positions;
    }

    /**
     * Sends rows [start, start+rows) encoded in {@code input} and returns the node's encoded output
     * (null when {@code replay}, which only rebuilds the KV cache).
     */
    byte[] forward(long step, int start, int rows, byte[] input, boolean replay, long deadlineNanos) throws HopFailure {
        Activations act = Activations.newBuilder().setCodec(io.braid.protocol.WireCodecs.toWire(codec)).setRows(rows).setDim(dim)
                .setData(ByteString.copyFrom(input)).build();
        long t0 = System.nanoTime();
        byte[] nonce = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(nonce);
        TaskReply r = call(TaskRequest.newBuilder().setForward(Forward.newBuilder().setStep(step).setStartPosition(start)
                .setInput(act).setReplay(replay).setNonce(ByteString.copyFrom(nonce))).build(), deadlineNanos);
        hop.node().observeRtt(Math.min(1.0, (System.nanoTime() - t0) / 1e9 / Math.max(1, rows)));
        if (!r.hasResult()) throw invalid("forward answered with " + r.getBodyCase());
        ForwardResult fr = r.getResult();
        if (!fr.getSessionId().equals(sessionId) || fr.getStep() != step || fr.getStartPosition() != start || fr.getRows() != rows)
            throw invalid("result does not match the request (session/step/positions)");
        if (!Arrays.equals(fr.getInputSha256().toByteArray(), Hashes.sha256(input).bytes()))
            throw invalid("result is bound to different input bytes");
        positions = start + rows;
        if (replay) return null;
        Activations out = fr.getOutput();
        if (out.getCodec() != io.braid.protocol.WireCodecs.toWire(codec) || out.getRows() != rows || out.getDim() != dim)
            throw invalid("output is " + out.getCodec() + " " + out.getRows() + " x " + out.getDim() + ", expected "
                    + codec.name() + " " + rows + " x " + dim);
        byte[] data = out.getData().toByteArray();
        try {
            codec.decode(data, rows, dim); // length and finiteness
        } catch (IllegalArgumentException e) {
            throw invalid("malformed output: " + e.getMessage());
        }
        if (!Arrays.equals(fr.getOutputSha256().toByteArray(), Hashes.sha256(data).bytes()))
            throw invalid("output commitment does not match the output bytes");
        if (!fr.getCommitment().isEmpty()) lastCommitment = checkCommitment(fr.getCommitment().toByteArray(), start, rows, input, data, nonce);
        return data;
    }

    /** The node's signed commitment to its last result (proof of compute), or null if it sent none. */
    io.braid.proof.Commitment lastCommitment() {
        return lastCommitment;
    }

    private io.braid.proof.Commitment lastCommitment;

    /** Proof hook: the commitment must be the node's, for this span, positions, nonce and exactly these bytes. */
    private io.braid.proof.Commitment checkCommitment(byte[] bytes, int start, int rows, byte[] input, byte[] output, byte[] nonce)
            throws HopFailure {
        io.braid.proof.Commitment c;
        try {
            c = io.braid.proof.Commitment.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw invalid("malformed commitment: " + e.getMessage());
        }
        if (!c.signer().equals(hop.node().key) || !c.signatureValid()) throw invalid("commitment is not signed by the node");
        if (c.from() != hop.from() || c.to() != hop.to() || c.firstPosition() != start || c.rows() != rows || c.width() != dim
                || !Arrays.equals(c.nonce(), nonce))
            throw invalid("commitment is for another task (span, positions, width or nonce)");
        if (!c.inputHash().equals(Hashes.sha256(input)) || !c.outputHash().equals(Hashes.sha256(output)))
            throw invalid("commitment does not bind the exact input and output bytes");
        return c;
    }

    private HopFailure invalid(String what) {
        broken = true;
        return new HopFailure("node " + hop.node().id + " sent an invalid reply: " + what, false, false);
    }

    private TaskReply call(TaskRequest req, long deadlineNanos) throws HopFailure {
        if (broken) throw new HopFailure("stream to node " + hop.node().id + " is broken", true, false);
        try {
            requests.onNext(req);
        } catch (RuntimeException e) {
            broken = true;
            throw new HopFailure("cannot send to node " + hop.node().id + ": " + e.getMessage(), true, false);
        }
        Object o;
        try {
            o = replies.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broken = true;
            throw new HopFailure("interrupted", true, false);
        }
        if (o == null) {
            broken = true;
            throw new HopFailure("node " + hop.node().id + " missed the deadline", true, false);
        }
        if (o instanceof Throwable t) {
            broken = true;
            throw new HopFailure("node " + hop.node().id + " stream failed: " + t.getMessage(), true, false);
        }
        if (o == COMPLETED) {
            broken = true;
            throw new HopFailure("node " + hop.node().id + " closed the stream", true, false);
        }
        TaskReply r;
        try {
            r = verifier.open((Signed) o, "TaskReply", TaskReply.parser(), hop.node().key);
        } catch (RejectedMessageException e) {
            broken = true;
            throw new HopFailure("node " + hop.node().id + ": " + e.getMessage(), false, false);
        }
        if (r.hasRefused()) {
            broken = true;
            throw new HopFailure("node " + hop.node().id + " refused: " + r.getRefused().getReason(), false, r.getRefused().getRetryable());
        }
        return r;
    }

    @Override
    public void close() {
        if (counted) {
            counted = false;
            hop.node().openSessions.decrementAndGet();
        }
        try {
            if (!broken) {
                requests.onNext(TaskRequest.newBuilder().setClose(CloseSession.newBuilder().setReason("done")).build());
                requests.onCompleted();
            } else {
                requests.onError(io.grpc.Status.CANCELLED.withDescription("session moved").asRuntimeException());
            }
        } catch (RuntimeException ignored) {
            // the stream is already gone; nothing to release on our side
        }
    }
}
