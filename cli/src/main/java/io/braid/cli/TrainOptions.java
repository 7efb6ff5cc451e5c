package io.braid.cli;

import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import io.braid.train.ModelShape;
import io.braid.train.TokenDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code braid train} and {@code braid bench train}: data, tokenizer, model shape and the DiLoCo
 * optimiser settings both use the same way.
 */
final class TrainOptions {

    @Option(names = "--data", defaultValue = "../shared/data/tinystories_197k.txt",
            description = "UTF-8 text to train on; each non-empty line is a document (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--tokenizer", defaultValue = "../shared/models/tok512.bin",
            description = "llama2.c tokenizer.bin (default: ${DEFAULT-VALUE})")
    Path tokenizer;

    @Option(names = "--vocab", defaultValue = "512", description = "vocabulary size of the tokenizer (default: ${DEFAULT-VALUE})")
    int vocab;

    @Option(names = "--dim", defaultValue = "64", description = "model width (default: ${DEFAULT-VALUE}, stories260K's shape)")
    int dim;

    @Option(names = "--hidden", defaultValue = "172", description = "SwiGLU hidden width (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "5", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "8", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "4", description = "key/value heads (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Option(names = "--context", defaultValue = "512", description = "context length the checkpoint declares (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--validation", defaultValue = "0.1", description = "fraction of the text (its last lines) held out (default: ${DEFAULT-VALUE})")
    double validation;

    @Option(names = "--lr", defaultValue = "3e-3", description = "peak inner learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--warmup", defaultValue = "50", description = "inner warmup steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--outer-lr", defaultValue = "0.7", description = "outer Nesterov learning rate (default: ${DEFAULT-VALUE})")
    float outerLr;

    @Option(names = "--outer-momentum", defaultValue = "0.9", description = "outer Nesterov momentum (default: ${DEFAULT-VALUE})")
    float outerMomentum;

    @Option(names = "--seed", defaultValue = "42", description = "seed of weights and batches (default: ${DEFAULT-VALUE})")
    long seed;

    ModelShape shape() {
        return new ModelShape(dim, hidden, layers, heads, kvHeads, vocab, context, true, 10000f, 1e-5f);
    }

    Tokenizer loadTokenizer() {
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException(tokenizer + ": no such tokenizer file (pass --tokenizer PATH)");
        }
        return Tokenizers.fromLlama2c(tokenizer, vocab);
    }

    TokenDataset loadData(Tokenizer tok) {
        return TokenDataset.fromText(data, tok::encode, tok.bos(), tok.vocabSize(), validation);
    }
}
