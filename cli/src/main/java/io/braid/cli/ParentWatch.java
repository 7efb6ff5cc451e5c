package io.braid.cli;

import java.util.Optional;

/**
 * Makes a child process of {@code braid up} exit when its parent is gone, even if the parent was killed with
 * SIGKILL and could not stop it: {@code up} passes its pid as the system property {@value #PROPERTY}.
 * The exit runs the shutdown hooks, so a node still drains like on SIGTERM.
 */
final class ParentWatch {

    static final String PROPERTY = "braid.parent.pid";

    private ParentWatch() {
    }

    /** Starts watching if the property is set; does nothing otherwise. */
    static void startIfAsked() {
        String pid = System.getProperty(PROPERTY);
        if (pid == null || pid.isBlank()) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid.trim()));
        if (parent.isEmpty() || !parent.get().isAlive()) {
            System.err.println("braid: parent process " + pid + " is gone; exiting");
            System.exit(3);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("braid: parent process " + pid + " exited; shutting down");
            System.exit(3);
        });
    }
}
