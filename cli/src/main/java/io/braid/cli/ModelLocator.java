package io.braid.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the model to serve when none is given: {@code BRAID_MODEL}, then the model store {@code ~/.braid/models}
 * (its first {@code *.gguf} by name), then {@code ../shared/models/stories260K.gguf} beside the checkout.
 */
final class ModelLocator {

    static final String SHARED_MODEL = "shared/models/stories260K.gguf";

    private ModelLocator() {
    }

    /** The model to use, or an {@link IllegalArgumentException} whose message says exactly what to do. */
    static Path resolve(Optional<Path> explicit) {
        if (explicit.isPresent()) {
            return existing(explicit.get(), "--model");
        }
        String env = System.getenv("BRAID_MODEL");
        if (env != null && !env.isBlank()) {
            return existing(Path.of(env), "BRAID_MODEL");
        }
        Path store = Path.of(System.getProperty("user.home"), ".braid", "models");
        if (Files.isDirectory(store)) {
            try (Stream<Path> files = Files.list(store)) {
                Optional<Path> first = files.filter(p -> p.getFileName().toString().endsWith(".gguf"))
                        .sorted().findFirst();
                if (first.isPresent()) {
                    return first.get();
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot list the model store " + store + ": " + e.getMessage(), e);
            }
        }
        List<Path> tried = new ArrayList<>();
        for (Path root : checkoutCandidates()) {
            Path candidate = root.resolveSibling(SHARED_MODEL).normalize();
            tried.add(candidate);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no model found: pass --model PATH/TO/model.gguf, or set BRAID_MODEL, "
                + "or copy a .gguf file into " + store + ", or put the shared test data beside the checkout "
                + "(looked for " + tried.stream().map(Path::toString).distinct().toList() + ")");
    }

    private static Path existing(Path p, String source) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": no such model file (from " + source + ")");
        }
        return p.toAbsolutePath().normalize();
    }

    /** The checkout's root: from the jar's location (cli/target/braid.jar or cli/target/classes), then the cwd. */
    static List<Path> checkoutCandidates() {
        List<Path> roots = new ArrayList<>();
        try {
            Path code = Path.of(ModelLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../<root>/cli/target/braid.jar or .../<root>/cli/target/classes
            Path target = code.getParent();
            if (target != null && target.getParent() != null && target.getParent().getParent() != null) {
                roots.add(target.getParent().getParent().toAbsolutePath().normalize());
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source (unusual class loader): fall back to the working directory below
        }
        Path cwd = Path.of("").toAbsolutePath().normalize();
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("braid"))) {
                roots.add(p);
                break;
            }
        }
        roots.add(cwd);
        return roots;
    }
}
