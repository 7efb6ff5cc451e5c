package io.braid.cli;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.llama2c.Llama2cCheckpoint;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code braid tokenize}: the token ids of a text for a model's tokenizer, space-separated on one line, or with
 * {@code --decode} the text of ids.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of TEXT (space-separated, one line), or with --decode the text of IDS.")
public final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "GGUF file (tokenizer from its metadata) or llama2.c checkpoint (.bin)")
    Path model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer.bin (default for a .bin checkpoint: tokenizer.bin beside it)")
    Path tokenizer;

    @Option(names = "--bos", description = "start with the BOS token")
    boolean bos;

    @Option(names = "--parse-special", description = "read control-token text such as <|im_start|> as that token")
    boolean parseSpecial;

    @Option(names = "--decode", description = "the arguments are token ids; print their text")
    boolean decode;

    @Parameters(arity = "1..*", paramLabel = "TEXT|IDS", description = "text to tokenize (several arguments are joined "
            + "with spaces), or token ids with --decode")
    List<String> args;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        try {
            Tokenizer tok = load();
            if (decode) {
                out.writeBytes(tok.decodeBytes(parseIds(tok)));
                out.println();
            } else {
                int[] ids = tok.encode(String.join(" ", args), parseSpecial);
                String line = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
                if (bos) {
                    if (tok.bos() < 0) {
                        throw new IllegalArgumentException("--bos: this vocabulary has no BOS token");
                    }
                    line = line.isEmpty() ? Integer.toString(tok.bos()) : tok.bos() + " " + line;
                }
                out.println(line);
            }
            out.flush();
            return 0;
        } catch (ModelFormatException | IllegalArgumentException | UncheckedIOException e) {
            out.flush();
            System.err.println("braid tokenize: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        } catch (RuntimeException e) {
            // a bug, not bad input: still one line, but say what broke
            out.flush();
            System.err.println("braid tokenize: internal error: " + e);
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    private int[] parseIds(Tokenizer tok) {
        String[] parts = String.join(" ", args).strip().split("[\\s,]+");
        if (parts.length == 1 && parts[0].isEmpty()) {
            return new int[0];
        }
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--decode: '" + parts[i] + "' is not a token id");
            }
            tok.checkId(ids[i]);
        }
        return ids;
    }

    /** The model's tokenizer, checked against the model's vocabulary size. */
    private Tokenizer load() {
        if (isGguf(model)) {
            try (GgufFile f = GgufFile.open(model)) {
                GgufMetadata md = f.metadata();
                if (tokenizer == null) {
                    Tokenizer tok = Tokenizers.fromGguf(md);
                    f.tensor("token_embd.weight").ifPresent(t -> tok.checkMatches((int) t.shape()[1], model.toString()));
                    return tok;
                }
                int vocab = f.tensor("token_embd.weight").map(t -> (int) t.shape()[1])
                        .orElseGet(() -> md.getStringArray("tokenizer.ggml.tokens").size());
                return Tokenizers.fromLlama2c(tokenizer, vocab);
            }
        }
        int vocab;
        try (Llama2cCheckpoint c = Llama2cCheckpoint.open(model)) {
            vocab = c.config().vocabSize();
        }
        Path tokPath = tokenizer != null ? tokenizer : model.toAbsolutePath().resolveSibling("tokenizer.bin");
        return Tokenizers.fromLlama2c(tokPath, vocab);
    }

    private static boolean isGguf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {'G', 'G', 'U', 'F'});
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "no such model file");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read model file: " + e.getMessage(), e);
        }
    }
}
