package io.braid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenDatasetTest {

    @TempDir
    Path dir;

    /** Each character is its own token: 'a' = 2, 'b' = 3, ...; BOS = 1. */
    private static final Function<String, int[]> CHARS = s -> s.chars().map(c -> c - 'a' + 2).toArray();

    @Test
    void splitsByLinesAddsBosAndComputesTheUnigramBaseline() throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "abab\n\nbaba\n  \nabc\naab\n");
        TokenDataset d = TokenDataset.fromText(f, CHARS, 1, 5, 0.25);
        // 4 non-empty lines: 3 train (BOS + 4, BOS + 4, BOS + 3), 1 validation (BOS a a b).
        assertThat(d.trainTokens()).isEqualTo(5 + 5 + 4);
        assertThat(d.validationTokens()).isEqualTo(4);
        // validation unigram: {1: 1/4, 2: 2/4, 3: 1/4} -> H = 1.5 bits
        assertThat(d.unigramEntropy()).isCloseTo(1.5 * Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
        int[][] b = d.sample(0, 1, 3, 4, new java.util.SplittableRandom(1));
        assertThat(b).hasNumberOfRows(3);
        for (int[] row : b) {
            assertThat(row).hasSize(5);
        }
        assertThat(d.validationBatches(3, 8, 100)).hasSize(1);
    }

    @Test
    void badInputGetsOneLineErrorsNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.txt");
        assertThatThrownBy(() -> TokenDataset.fromText(missing, CHARS, 1, 5, 0.1)).hasMessage(missing + ": no such data file");
        Path one = dir.resolve("one.txt");
        Files.writeString(one, "abc\n");
        assertThatThrownBy(() -> TokenDataset.fromText(one, CHARS, 1, 5, 0.1)).hasMessageContaining(one.toString())
                .hasMessageContaining("at least 2 non-empty lines");
        Path big = dir.resolve("big.txt");
        Files.writeString(big, "abz\nab\n");
        assertThatThrownBy(() -> TokenDataset.fromText(big, CHARS, 1, 5, 0.5)).hasMessageContaining(big.toString())
                .hasMessageContaining("outside the vocabulary");
        Path bin = dir.resolve("bin.txt");
        Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 10, 65});
        assertThatThrownBy(() -> TokenDataset.fromText(bin, CHARS, 1, 5, 0.5)).hasMessage(bin + ": not UTF-8 text");
        TokenDataset small = TokenDataset.fromText(writeTwo(), CHARS, 1, 5, 0.5);
        assertThatThrownBy(() -> small.sample(0, 2, 1, 10, new java.util.SplittableRandom(1))).hasMessageContaining("fewer than one sequence");
    }

    private Path writeTwo() throws Exception {
        Path f = dir.resolve("t2.txt");
        Files.writeString(f, "ab\nba\n");
        return f;
    }
}
