package io.braid.node;

/**
 * Test-only fault injection: how a node misbehaves on a forward step. Reachable only through the
 * package-private {@link NodeAgent} constructor (tests in package io.braid.node), never from the CLI.
 */
interface Faults {
    /** What to do instead of an honest reply. */
    enum Action { NONE, HANG, MALFORMED_OUTPUT, BAD_SIGNATURE, CRASH_STREAM }

    /** Called before replying to the {@code forwards}-th (1-based) forward this node serves. */
    Action onForward(long forwards);

    /** Test-only cheating: replaces the output activations before they are encoded, committed and signed. */
    default float[] output(long forwards, float[] x) {
        return x;
    }

    Faults NONE = n -> Action.NONE;
}
