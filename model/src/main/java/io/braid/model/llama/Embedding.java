package io.braid.model.llama;

import io.braid.tensor.Matrix;

/** The token embedding step: row lookup in the [vocab x dim] table, dequantized from whatever type the file uses. */
public final class Embedding {

    private final Matrix table;

    Embedding(Matrix table) {
        this.table = table;
    }

    /** Width of one embedding row. */
    public int dim() {
        return table.cols();
    }

    /** Writes token {@code token}'s embedding into {@code out[off .. off+dim)}. */
    public void lookup(int token, float[] out, int off) {
        if (token < 0 || token >= table.rows()) {
            throw new IllegalArgumentException("token id " + token + " is outside the model's vocabulary of "
                    + table.rows() + " tokens");
        }
        table.dequantizeRow(token, out, off);
    }

    /** The embeddings of {@code tokens} as [tokens.length x dim] rows. */
    public float[] lookup(int[] tokens) {
        float[] out = new float[tokens.length * dim()];
        for (int i = 0; i < tokens.length; i++) {
            lookup(tokens[i], out, i * dim());
        }
        return out;
    }
}
