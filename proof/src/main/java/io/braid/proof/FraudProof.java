package io.braid.proof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Evidence that a node committed to a wrong result: the accused node's signed commitment and the signed commitments
 * of two independent auditors for the same task (same task id, model root, span, positions, context, input hash and
 * nonce). Anyone can re-check it offline ({@link #problem}): all three signatures hold, the auditors are distinct
 * from the node and from each other, the auditors agree with each other, and both disagree with the node —
 * bit-for-bit on the output hash when all three ran deterministically, otherwise by the digest thresholds.
 * Carried as the evidence bytes of the ledger's Slash transaction ({@link #encode}).
 */
public record FraudProof(Commitment accused, Commitment firstAuditor, Commitment secondAuditor) {

    static final String TAG = "braid/fraud-proof/v1";

    /** Canonical bytes: tag, then the three commitments each as i32 length + encoding. */
    public byte[] encode() {
        byte[] tag = TAG.getBytes(StandardCharsets.UTF_8);
        byte[] a = accused.encode(), b = firstAuditor.encode(), c = secondAuditor.encode();
        return ByteBuffer.allocate(2 + tag.length + 12 + a.length + b.length + c.length).order(ByteOrder.BIG_ENDIAN)
                .putShort((short) tag.length).put(tag)
                .putInt(a.length).put(a).putInt(b.length).put(b).putInt(c.length).put(c).array();
    }

    /** Decodes {@link #encode()}; throws {@link IllegalArgumentException} naming the problem. */
    public static FraudProof decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            byte[] tag = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(tag);
            if (!TAG.equals(new String(tag, StandardCharsets.UTF_8))) throw new IllegalArgumentException("fraud proof: unknown tag");
            Commitment a = Commitment.decode(Commitment.bytes(in, 1 << 23, "accused commitment"));
            Commitment b = Commitment.decode(Commitment.bytes(in, 1 << 23, "first auditor commitment"));
            Commitment c = Commitment.decode(Commitment.bytes(in, 1 << 23, "second auditor commitment"));
            if (in.hasRemaining()) throw new IllegalArgumentException("fraud proof: " + in.remaining() + " trailing bytes");
            return new FraudProof(a, b, c);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("fraud proof: truncated");
        }
    }

    /** Empty when the evidence holds; otherwise the first reason it does not. */
    public Optional<String> problem(DigestCheck.Thresholds t) {
        if (!accused.signatureValid()) return Optional.of("accused commitment signature is invalid");
        if (!firstAuditor.signatureValid()) return Optional.of("first auditor's signature is invalid");
        if (!secondAuditor.signatureValid()) return Optional.of("second auditor's signature is invalid");
        if (accused.signer().equals(firstAuditor.signer()) || accused.signer().equals(secondAuditor.signer())
                || firstAuditor.signer().equals(secondAuditor.signer())) {
            return Optional.of("the node and its two auditors must be three different keys");
        }
        if (!accused.sameTask(firstAuditor) || !accused.sameTask(secondAuditor)) {
            return Optional.of("the commitments are not for the same task (id, model, span, positions, context, input, nonce)");
        }
        if (!Verdicts.agree(firstAuditor, secondAuditor, t)) return Optional.of("the two auditors disagree with each other");
        if (Verdicts.agree(accused, firstAuditor, t)) return Optional.of("the accused agrees with the first auditor");
        if (Verdicts.agree(accused, secondAuditor, t)) return Optional.of("the accused agrees with the second auditor");
        return Optional.empty();
    }
}
