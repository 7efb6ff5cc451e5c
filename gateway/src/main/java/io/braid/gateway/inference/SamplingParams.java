package io.braid.gateway.inference;

/**
 * How the next token is chosen. {@code temperature == 0} is greedy (deterministic, identical to
 * {@code braid generate --temperature 0}); otherwise the engine's seeded sampler with top-p / top-k.
 *
 * @param temperature >= 0
 * @param topP in (0, 1]; 1 disables nucleus sampling
 * @param topK >= 0; 0 disables top-k
 * @param seed the sampler's seed: the same request with the same seed gives the same tokens
 */
public record SamplingParams(float temperature, float topP, int topK, long seed) {
    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature))
            throw new InvalidRequestException("temperature must be a finite number >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new InvalidRequestException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new InvalidRequestException("top_k must be >= 0, got " + topK);
    }

    /** Greedy decoding: what the reference tests compare against {@code braid generate}. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 1f, 0, 0L);
    }
}
