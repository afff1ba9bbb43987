package dev.clipengine.walkthrough;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every number of one training step through the card's model, as the engine computed it.
 *
 * @param vocabulary the model's words by token id, {@code <unk>} first
 * @param scale        the logits' scale: 1 for e^x, ln 3 for the card's 3^x
 * @param weights      the trained tensors before the step, by checkpoint name, in the model's order
 * @param gradients    their gradients, and the word vectors' ({@code text.token_embedding.weight})
 * @param updated      the trained tensors after one SGD step
 * @param lossAfter    the loss of the same batch after the step
 */
public record CardTrace(List<String> captions, List<List<String>> words, List<String> vocabulary, double scale,
                        float learningRate,
                        Side text, Side image, Head head, Map<String, Matrix> weights,
                        Map<String, Matrix> gradients, Map<String, Matrix> updated, double lossAfter) {

    public CardTrace {
        captions = List.copyOf(captions);
        words = List.copyOf(words);
        vocabulary = List.copyOf(vocabulary);
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
        updated = Collections.unmodifiableMap(new LinkedHashMap<>(updated));
    }

    /**
     * One tower's values: its input rows (word vectors or patches), the encoder's output after
     * ReLU, one pooled row per item, the item's embedding, and the loss's gradient there.
     *
     * @param itemStart item k is rows {@code itemStart[k] .. itemStart[k+1]-1} of input and hidden
     */
    public record Side(Matrix input, Matrix hidden, Matrix pooled, Matrix embeddings, Matrix dEmbeddings,
                       int[] itemStart) {

        public Side {
            itemStart = itemStart.clone();
        }

        /** Item k's rows of a per-row matrix ({@link #input} or {@link #hidden}). */
        public Matrix item(Matrix perRow, int k) {
            return perRow.rows(itemStart[k], itemStart[k + 1] - itemStart[k]);
        }

        @Override
        public int[] itemStart() {
            return itemStart.clone();
        }
    }

    /**
     * The contrastive head, {@code [n, n]} with rows images and columns captions: the plain dot
     * products, the logits ({@code scale} times them), their exponentials, the sums of each row
     * ({@code [n, 1]}) and column ({@code [1, n]}), both softmaxes, and the gradient the engine
     * back-propagates from the logits.
     */
    public record Head(Matrix similarities, Matrix logits, Matrix exponentials, Matrix rowSums, Matrix columnSums,
                       Matrix rowSoftmax, Matrix columnSoftmax, Matrix dLogits, double loss) {

        /** The card's targets: the identity, 1 for each true pair. */
        public Matrix target() {
            return Matrix.identity(logits.rows());
        }

        /**
         * The card's [Similarity - Target] of the image to text direction: n times the gradient of
         * that direction's mean cross-entropy w.r.t. the logits.
         */
        public Matrix rowsMinusTarget() {
            return rowSoftmax.minus(target());
        }

        /** [Similarity - Target] of the text to image direction. */
        public Matrix columnsMinusTarget() {
            return columnSoftmax.minus(target());
        }
    }
}
