package io.braid.train;

/**
 * The shape of a Llama-architecture model to train: the same hyperparameters a GGUF {@code llama.*} header
 * carries. RoPE rotates interleaved pairs (2i, 2i+1), as llama2.c and GGUF {@code llama} do.
 *
 * @param dim            embedding width
 * @param hiddenDim      SwiGLU hidden width
 * @param nLayers        transformer blocks
 * @param nHeads         query heads
 * @param nKvHeads       key/value heads (grouped-query attention when fewer than {@code nHeads})
 * @param vocabSize      vocabulary size
 * @param seqLen         maximum context length (the RoPE table size and the GGUF context length)
 * @param tiedEmbeddings whether the output head reuses the token embedding matrix
 * @param ropeTheta      RoPE base frequency
 * @param normEps        RMSNorm epsilon
 */
public record ModelShape(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int seqLen,
                         boolean tiedEmbeddings, float ropeTheta, float normEps) {

    public ModelShape {
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || nKvHeads <= 0 || vocabSize <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("model shape: every size must be positive, got dim=" + dim + " hidden="
                    + hiddenDim + " layers=" + nLayers + " heads=" + nHeads + " kvHeads=" + nKvHeads + " vocab="
                    + vocabSize + " seq=" + seqLen);
        }
        if (dim % nHeads != 0 || (dim / nHeads) % 2 != 0) {
            throw new IllegalArgumentException("model shape: dim " + dim + " must split into " + nHeads
                    + " heads of even size (RoPE rotates pairs)");
        }
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("model shape: heads " + nHeads + " must be a multiple of kvHeads " + nKvHeads);
        }
        if (!(ropeTheta > 0) || !(normEps > 0)) {
            throw new IllegalArgumentException("model shape: ropeTheta and normEps must be positive");
        }
    }

    /** The shape of karpathy's stories260K (dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocab 512, tied head). */
    public static ModelShape stories260K(int seqLen) {
        return new ModelShape(64, 172, 5, 8, 4, 512, seqLen, true, 10000f, 1e-5f);
    }

    public int headSize() {
        return dim / nHeads;
    }

    public int kvDim() {
        return nKvHeads * headSize();
    }

    /** Same shape with another context length. */
    public ModelShape withSeqLen(int newSeqLen) {
        return new ModelShape(dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize, newSeqLen, tiedEmbeddings, ropeTheta, normEps);
    }
}
