package io.braid.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A tokenized text corpus split into training and validation tokens. Each non-empty line (a paragraph)
 * is encoded with BOS in front, as llama2.c prepares TinyStories; the last {@code validationFraction} of
 * the lines is validation, so no text is in both splits. Training tokens are cut into contiguous
 * per-worker shards; batches are random windows of a shard.
 */
public final class TokenDataset {

    private final int[] train;
    private final int[] validation;
    private final int vocabSize;

    public TokenDataset(int[] train, int[] validation, int vocabSize) {
        this.train = train;
        this.validation = validation;
        this.vocabSize = vocabSize;
    }

    /**
     * Reads and tokenizes {@code file}. {@code encode} maps text to ids without BOS.
     *
     * @throws IllegalArgumentException naming the file when it is missing, unreadable or too small
     */
    public static TokenDataset fromText(Path file, Function<String, int[]> encode, int bos, int vocabSize,
                                        double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0,1), got " + validationFraction);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such data file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read data file: " + e.getMessage(), e);
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                lines.add(s);
            }
        }
        if (lines.size() < 2) {
            throw new IllegalArgumentException(file + ": needs at least 2 non-empty lines of text to split train/validation, has "
                    + lines.size());
        }
        int valLines = Math.max(1, (int) Math.round(lines.size() * validationFraction));
        int trainLines = lines.size() - valLines;
        int[] tr = encodeAll(lines.subList(0, trainLines), encode, bos);
        int[] va = encodeAll(lines.subList(trainLines, lines.size()), encode, bos);
        for (int[] part : new int[][] {tr, va}) {
            for (int t : part) {
                if (t < 0 || t >= vocabSize) {
                    throw new IllegalArgumentException(file + ": tokenizer produced id " + t + " outside the vocabulary of " + vocabSize);
                }
            }
        }
        return new TokenDataset(tr, va, vocabSize);
    }

    private static int[] encodeAll(List<String> lines, Function<String, int[]> encode, int bos) {
        int n = 0;
        List<int[]> parts = new ArrayList<>(lines.size());
        for (String line : lines) {
            int[] ids = encode.apply(line);
            parts.add(ids);
            n += ids.length + (bos >= 0 ? 1 : 0);
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] ids : parts) {
            if (bos >= 0) {
                out[at++] = bos;
            }
            System.arraycopy(ids, 0, out, at, ids.length);
            at += ids.length;
        }
        return out;
    }

    public int trainTokens() {
        return train.length;
    }

    public int validationTokens() {
        return validation.length;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Tokens [from, to) of shard {@code shard} of {@code shards} contiguous training shards. */
    public int[] shardBounds(int shard, int shards) {
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards);
        }
        long from = (long) train.length * shard / shards;
        long to = (long) train.length * (shard + 1) / shards;
        return new int[] {(int) from, (int) to};
    }

    /**
     * {@code batch} random windows of {@code seqLen + 1} tokens from the shard, drawn with {@code rnd}.
     *
     * @throws IllegalArgumentException when the shard is shorter than one window
     */
    public int[][] sample(int shard, int shards, int batch, int seqLen, SplittableRandom rnd) {
        int[] b = shardBounds(shard, shards);
        int span = b[1] - b[0] - (seqLen + 1);
        if (span < 0) {
            throw new IllegalArgumentException("training shard " + shard + "/" + shards + " has " + (b[1] - b[0])
                    + " tokens, fewer than one sequence of " + (seqLen + 1) + ": use fewer workers or a shorter sequence");
        }
        int[][] out = new int[batch][];
        for (int i = 0; i < batch; i++) {
            int start = b[0] + rnd.nextInt(span + 1);
            out[i] = java.util.Arrays.copyOfRange(train, start, start + seqLen + 1);
        }
        return out;
    }

    /**
     * Non-overlapping validation windows of {@code seqLen + 1} tokens, at most {@code maxWindows}, grouped
     * into batches of {@code batch}.
     */
    public List<int[][]> validationBatches(int seqLen, int batch, int maxWindows) {
        int windows = Math.min(maxWindows, (validation.length - 1) / seqLen);
        if (windows < 1) {
            throw new IllegalArgumentException("validation split has " + validation.length + " tokens, fewer than one sequence of "
                    + (seqLen + 1));
        }
        List<int[][]> out = new ArrayList<>();
        for (int w = 0; w < windows; w += batch) {
            int n = Math.min(batch, windows - w);
            int[][] b = new int[n][];
            for (int i = 0; i < n; i++) {
                int start = (w + i) * seqLen;
                b[i] = java.util.Arrays.copyOfRange(validation, start, start + seqLen + 1);
            }
            out.add(b);
        }
        return out;
    }

    /**
     * The unigram baseline: entropy (nats) of the unigram distribution of the validation tokens, the loss of
     * the best model that ignores context.
     */
    public double unigramEntropy() {
        long[] counts = new long[vocabSize];
        for (int t : validation) {
            counts[t]++;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / validation.length;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    /** Mean validation loss of {@code params} over the validation windows. */
    public double validationLoss(TrainModel model, float[] params, int seqLen, int maxWindows) {
        double sum = 0;
        int n = 0;
        for (int[][] b : validationBatches(seqLen, 8, maxWindows)) {
            sum += model.loss(params, b) * b.length;
            n += b.length;
        }
        return sum / n;
    }
}
