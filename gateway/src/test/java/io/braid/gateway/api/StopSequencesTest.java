package io.braid.gateway.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StopSequencesTest {

    /** Feeds the pieces one by one and returns what would have been streamed. */
    private static String run(List<String> stops, String... pieces) {
        StopSequences s = new StopSequences(stops);
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            String emitted = s.push(p);
            // A stream must never show text that later turns out to be (part of) a stop sequence.
            for (String stop : stops) {
                assertThat((out + emitted)).doesNotContain(stop);
            }
            out.append(emitted);
            if (s.stopped()) {
                return out.toString();
            }
        }
        return out.append(s.finish()).toString();
    }

    @Test
    void stopTextIsCutAndNotEmitted() {
        assertThat(run(List.of("\n"), "Once upon", " a time.\nThe end")).isEqualTo("Once upon a time.");
    }

    @Test
    void stopSequenceSplitAcrossPiecesIsHeldBackThenDropped() {
        StopSequences s = new StopSequences(List.of("END"));
        assertThat(s.push("the E")).isEqualTo("the ");
        assertThat(s.push("N")).isEmpty();
        assertThat(s.push("D and more")).isEmpty();
        assertThat(s.stopped()).isTrue();
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void falseStartIsReleasedOnceItCannotBeAStop() {
        StopSequences s = new StopSequences(List.of("END"));
        assertThat(s.push("the EN")).isEqualTo("the ");
        assertThat(s.push("TRY")).isEqualTo("ENTRY");
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void heldTextIsReleasedWhenGenerationEnds() {
        assertThat(run(List.of("END"), "the E", "N")).isEqualTo("the EN");
    }

    @Test
    void earliestOfSeveralStopsWins() {
        assertThat(run(List.of("dog", "cat"), "a cat and a dog")).isEqualTo("a ");
        assertThat(run(List.of("b", "abc"), "xxabc")).isEqualTo("xx"); // "abc" starts first
    }

    @Test
    void withoutStopsEverythingPassesImmediately() {
        StopSequences s = new StopSequences(List.of());
        assertThat(s.push("abc")).isEqualTo("abc");
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void stopAtTheVeryStartEmitsNothing() {
        assertThat(run(List.of("Once"), "On", "ce upon")).isEmpty();
    }

    @Test
    void emptyStopIsRejected() {
        assertThatThrownBy(() -> new StopSequences(List.of(""))).isInstanceOf(IllegalArgumentException.class);
    }
}
