package io.braid.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The harness of the in-process CLI tests: run {@code braid} capturing its output, find the shared test data. */
final class InProcessBraid {

    /** Exit code, stdout bytes and stderr text of one in-process run. */
    record Run(int exit, byte[] out, String err) {
    }

    private InProcessBraid() {
    }

    /**
     * Runs braid in this process, capturing System.out/err (the streams the commands print to). One lock for all
     * callers, since the streams are global.
     */
    static Run braid(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        synchronized (InProcessBraid.class) {
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                exit = Braid.commandLine().execute(args);
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
        return new Run(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code relative} under the shared test data (system property {@code braid.shared}); fails if it is missing. */
    static Path shared(String relative) {
        String prop = System.getProperty("braid.shared");
        Path p = (prop != null ? Path.of(prop) : Path.of("..", "shared")).resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("test data missing: " + p.toAbsolutePath());
        }
        return p;
    }
}
