package io.braid.node;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Test access to in-JVM nodes, including misbehaving ones. Lives in package io.braid.node on the
 * gateway's TEST classpath only: the fault hook is package-private in the node module and unreachable
 * from the CLI.
 */
public final class TestNodes {
    private TestNodes() {}

    /** How a node misbehaves from its {@code at}-th forward on. */
    public enum Fault { HANG, MALFORMED_OUTPUT, BAD_SIGNATURE, CRASH_STREAM }

    public static NodeConfig config(String gateway, Path model, Path keyFile, int maxLayers) {
        return NodeConfig.defaults(gateway, List.of(model), keyFile).withThreads(1).withMaxLayers(maxLayers)
                .withDrainTimeout(java.time.Duration.ofSeconds(2));
    }

    public static NodeAgent start(NodeConfig config, PrintStream log) throws IOException {
        return new NodeAgent(config, log).start();
    }

    /** A node that behaves until its {@code at}-th forward, then misbehaves as {@code fault} on every forward. */
    public static NodeAgent startFaulty(NodeConfig config, PrintStream log, Fault fault, long at) throws IOException {
        Faults.Action action = Faults.Action.valueOf(fault.name());
        return new NodeAgent(config, log, n -> n >= at ? action : Faults.Action.NONE).start();
    }

    /** A node that, from its {@code at}-th forward on, scales its outputs by {@code scale} (and commits to them). */
    public static NodeAgent startCheating(NodeConfig config, PrintStream log, float scale, long at) throws IOException {
        return new NodeAgent(config, log, new Faults() {
            @Override
            public Action onForward(long forwards) {
                return Action.NONE;
            }

            @Override
            public float[] output(long forwards, float[] x) {
                if (forwards < at) return x;
                float[] y = x.clone();
                for (int i = 0; i < y.length; i++) y[i] *= scale;
                return y;
            }
        }).start();
    }
}
