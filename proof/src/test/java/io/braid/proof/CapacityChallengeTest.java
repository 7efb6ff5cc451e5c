package io.braid.proof;

import io.braid.tensor.Compute;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CapacityChallengeTest {

    @Test
    void anHonestProductInTimeIsAcceptedInBothModes() {
        CapacityChallenge ch = new CapacityChallenge(42, 96, 1e9, Duration.ofSeconds(5));
        for (Compute.Mode m : Compute.Mode.values()) {
            try (Compute c = new Compute(2, m)) {
                float[] prod = ch.solve(c);
                assertThat(ch.check(prod, Duration.ofMillis(10), 3, 7)).isInstanceOf(CapacityChallenge.Verdict.Accepted.class);
            }
        }
    }

    @Test
    void aFakedOrSlightlyWrongProductIsRefused() {
        CapacityChallenge ch = new CapacityChallenge(43, 80, 1e9, Duration.ofSeconds(5));
        float[] prod;
        try (Compute c = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            prod = ch.solve(c);
        }
        Random r = new Random(1);
        float[] random = new float[prod.length];
        for (int i = 0; i < random.length; i++) random[i] = r.nextInt(100) - 50;
        assertThat(ch.check(random, Duration.ofMillis(1), 2, 9)).isInstanceOf(CapacityChallenge.Verdict.Refused.class);
        for (int trial = 0; trial < 50; trial++) {
            float[] oneOff = prod.clone();
            oneOff[r.nextInt(oneOff.length)] += 1; // a single entry off by one
            assertThat(ch.check(oneOff, Duration.ofMillis(1), 2, trial)).as("trial %d", trial).isInstanceOf(CapacityChallenge.Verdict.Refused.class);
        }
        float[] fraction = prod.clone();
        fraction[5] += 0.5f;
        assertThat(ch.check(fraction, Duration.ofMillis(1), 1, 1)).extracting(v -> ((CapacityChallenge.Verdict.Refused) v).reason()).asString().contains("cannot be a product");
        assertThat(ch.check(new float[3], Duration.ofMillis(1), 1, 1)).extracting(v -> ((CapacityChallenge.Verdict.Refused) v).reason()).asString().contains("entries");
    }

    @Test
    void aNodeTooSlowForItsClaimIsRefused() {
        CapacityChallenge ch = CapacityChallenge.forClaim(44, 2e9, Duration.ofMillis(50));
        assertThat(ch.n()).isEqualTo((int) Math.cbrt(2e9 * 0.25 / 2));
        float[] prod;
        try (Compute c = new Compute(1, Compute.Mode.FAST)) {
            prod = ch.solve(c);
        }
        assertThat(ch.check(prod, ch.deadline().plusMillis(1), 2, 3)).extracting(v -> ((CapacityChallenge.Verdict.Refused) v).reason()).asString().contains("deadline");
        assertThat(ch.check(prod, ch.deadline(), 2, 3)).isInstanceOf(CapacityChallenge.Verdict.Accepted.class);
    }
}
