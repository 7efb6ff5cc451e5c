package io.braid.gateway.api;

import io.braid.gateway.inference.CompletionRequest;
import io.braid.gateway.inference.CompletionResult;
import io.braid.gateway.inference.ContextOverflowException;
import io.braid.gateway.inference.FinishReason;
import io.braid.gateway.inference.InferenceService;
import io.braid.gateway.inference.ModelInfo;
import io.braid.gateway.inference.NodeSnapshot;
import io.braid.gateway.inference.UnknownModelException;
import io.braid.model.gguf.GgufFile;
import io.braid.model.llama.Generation;
import io.braid.model.llama.Generator;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.LocalSpanChain;
import io.braid.model.llama.Sampler;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.model.tokenizer.Tokenizers;
import io.braid.tensor.Compute;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine in this process, behind the {@link InferenceService} contract: the single-process reference path
 * ({@code braid generate}'s loop), used to test the HTTP layer without starting node processes. The network
 * path is tested end to end with real node processes elsewhere.
 */
final class LocalInference implements InferenceService, AutoCloseable {

    private final LlamaModel model;
    private final Compute compute = new Compute(1, Compute.Mode.DETERMINISTIC);
    private final Generator generator;
    private final ModelInfo info;
    private final AtomicInteger sessions = new AtomicInteger();

    LocalInference(Path gguf) {
        model = LlamaModel.open(gguf);
        Tokenizer tokenizer;
        try (GgufFile f = GgufFile.open(gguf)) {
            tokenizer = Tokenizers.fromGguf(f.metadata());
        }
        generator = new Generator(model.embedding(), model.head(), compute, tokenizer.bos(), tokenizer.eos());
        String name = gguf.getFileName().toString();
        info = new ModelInfo(name.substring(0, name.lastIndexOf('.')), gguf, model.config().layers(),
                model.config().contextLength(), model.config().vocabSize());
    }

    @Override
    public CompletionResult complete(CompletionRequest request, io.braid.gateway.inference.TokenListener listener) {
        if (!request.modelId().equals(info.id())) {
            throw new UnknownModelException("unknown model " + request.modelId());
        }
        int[] prompt = request.promptTokens();
        if (prompt.length + request.maxTokens() > info.contextLength()) {
            throw new ContextOverflowException("prompt + max_tokens exceeds " + info.contextLength(),
                    info.contextLength());
        }
        String session = "local-" + sessions.incrementAndGet();
        if (request.maxTokens() == 0) {
            return new CompletionResult(session, new int[0], prompt.length, FinishReason.LENGTH, List.of("local"), 0);
        }
        var s = request.sampling();
        Sampler sampler = new Sampler(s.temperature(), s.topP(), s.topK(), s.seed());
        LocalSpanChain chain = LocalSpanChain.of(model, compute, info.contextLength());
        // run.c's steps count every token after BOS, prompt tokens included.
        int steps = prompt.length - 1 + request.maxTokens();
        Generation g = generator.generate(chain, prompt, steps, sampler,
                (position, token, fromPrompt) -> fromPrompt || listener.onToken(token));
        int[] generated = Arrays.copyOfRange(g.tokens(), g.promptTokens(), g.tokens().length);
        FinishReason reason = switch (g.stop()) {
            case STEPS -> FinishReason.LENGTH;
            case BOS, EOS -> FinishReason.STOP;
            case LISTENER -> FinishReason.CANCELLED;
        };
        return new CompletionResult(session, generated, prompt.length, reason, List.of("local"), 0);
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(info);
    }

    @Override
    public List<NodeSnapshot> nodes() {
        return List.of();
    }

    @Override
    public boolean isModelCovered(String modelId) {
        return info.id().equals(modelId);
    }

    @Override
    public boolean awaitCovered(String modelId, Duration timeout) {
        return isModelCovered(modelId);
    }

    @Override
    public void close() {
        compute.close();
        model.close();
    }
}
