package io.braid.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.braid.crypto.Identity;
import io.braid.protocol.EnvelopeSigner;
import io.braid.protocol.v1.Capacity;
import io.braid.protocol.v1.Heartbeat;
import io.braid.protocol.v1.ModelFile;
import io.braid.protocol.v1.NodeHello;
import io.braid.protocol.v1.RegisterReply;
import io.braid.protocol.v1.RegistryGrpc;
import io.braid.protocol.v1.Signed;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's registry over real gRPC refuses unsigned, stale and replayed node messages. */
class RegistrySecurityTest {

    private static Status.Code codeOf(Runnable r) {
        try {
            r.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    @Test
    void unsignedStaleAndReplayedMessagesAreRejected() throws Exception {
        try (Cluster cluster = Cluster.start(ClusterConfig.defaults(0, List.of(Reference.stories260K())).withThreads(1),
                new PrintStream(OutputStream.nullOutputStream()))) {
            ManagedChannel ch = NettyChannelBuilder.forTarget("127.0.0.1:" + cluster.nodePort()).usePlaintext().build();
            try {
                RegistryGrpc.RegistryBlockingStub stub = RegistryGrpc.newBlockingStub(ch);
                Identity id = Identity.generate();
                NodeHello hello = NodeHello.newBuilder().setAddress("127.0.0.1:1").setCapacity(Capacity.newBuilder().setFlops(1e9))
                        .addModels(ModelFile.newBuilder().setModelId("stories260K").setSizeBytes(Files.size(Reference.stories260K())).setNLayers(5))
                        .build();
                EnvelopeSigner signer = new EnvelopeSigner(id, Clock.systemUTC());
                Signed good = signer.sign(hello);

                assertThat(codeOf(() -> stub.register(good.toBuilder().clearSignature().build()))).isEqualTo(Status.Code.PERMISSION_DENIED);
                EnvelopeSigner old = new EnvelopeSigner(id, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-45)));
                assertThatThrownBy(() -> stub.register(old.sign(hello))).hasMessageContaining("old (max skew 30 s)");

                RegisterReply reply = stub.register(good);
                assertThat(reply.getAssignment().getToLayer()).isEqualTo(5);
                assertThatThrownBy(() -> stub.register(good)).hasMessageContaining("replayed");

                Signed hb = signer.sign(Heartbeat.getDefaultInstance());
                stub.heartbeat(hb);
                assertThat(codeOf(() -> stub.heartbeat(hb))).isEqualTo(Status.Code.PERMISSION_DENIED);
                // someone else's key cannot speak for the node
                Signed forged = new EnvelopeSigner(Identity.generate(), Clock.systemUTC()).sign(Heartbeat.getDefaultInstance())
                        .toBuilder().setNodeKey(com.google.protobuf.ByteString.copyFrom(id.publicKeyBytes())).build();
                assertThat(codeOf(() -> stub.heartbeat(forged))).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(cluster.nodes()).hasSize(1);
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
