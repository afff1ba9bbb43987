package dev.clipengine.eval;

import dev.clipengine.data.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.model.ClipGraph;

import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;

import java.util.Arrays;
import java.util.List;

/**
 * Scores a model on held-out pairs the CLIP way, by cosine similarity of embeddings: zero-shot
 * classification against one caption per class, and retrieval in both directions.
 *
 * <p>A retrieved item counts as correct when it is the query's own pair or a pair of the same
 * class (datasets with classes), or, without classes, has the same caption text: several pairs
 * can share a caption, and no model can tell such pairs apart.
 */
public final class Retrieval {

    private Retrieval() {
    }

    /** What {@link #evaluate} measured; fractions in [0, 1], NaN where there was nothing to score. */
    public record Scores(int pairs, int classes, double zeroShotTop1, double imageToTextTop1, double textToImageTop1) {
    }

    /**
     * @param heldOut     the pairs to score
     * @param classNames  one caption per class (label k is entry k); empty without classes
     */
    public static Scores evaluate(ClipGraph graph, EncodedPairs heldOut, List<String> classNames, int batchSize) {
        int n = heldOut.size();
        int dim = graph.model().config().embedDim();
        if (n == 0) {
            return new Scores(0, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        float[] images = embed(graph, heldOut, batchSize, true);
        float[] texts = embed(graph, heldOut, batchSize, false);
        int[] labels = new int[n];
        boolean classed = true;
        for (int i = 0; i < n; i++) {
            labels[i] = heldOut.example(i).label();
            classed &= labels[i] >= 0;
        }
        double zeroShot = Double.NaN;
        int classes = 0;
        if (!classNames.isEmpty() && classed) {
            classes = classNames.size();
            float[] classEmbeddings = embedCaptions(graph, classNames, batchSize);
            int correct = 0;
            for (int i = 0; i < n; i++) {
                if (nearest(images, i, classEmbeddings, classes, dim) == labels[i]) {
                    correct++;
                }
            }
            zeroShot = (double) correct / n;
        }
        int imageToText = 0;
        int textToImage = 0;
        for (int i = 0; i < n; i++) {
            if (matches(heldOut, labels, classed, i, nearest(images, i, texts, n, dim))) {
                imageToText++;
            }
            if (matches(heldOut, labels, classed, i, nearest(texts, i, images, n, dim))) {
                textToImage++;
            }
        }
        return new Scores(n, classes, zeroShot, (double) imageToText / n, (double) textToImage / n);
    }

    private static boolean matches(EncodedPairs pairs, int[] labels, boolean classed, int query, int found) {
        if (found == query) {
            return true;
        }
        return classed ? labels[found] == labels[query] : Arrays.equals(pairs.tokens(found), pairs.tokens(query));
    }

    /** The row of candidates (count rows) nearest row q of queries; ties go to the lowest index. */
    static int nearest(float[] queries, int q, float[] candidates, int count, int dim) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < count; c++) {
            double dot = 0;
            for (int d = 0; d < dim; d++) {
                dot += (double) queries[q * dim + d] * candidates[c * dim + d];
            }
            if (dot > bestScore) {
                bestScore = dot;
                best = c;
            }
        }
        return best;
    }

    /** Unit-length embeddings of every pair's image (or caption), {@code [pairs, dim]}. */
    static float[] embed(ClipGraph graph, EncodedPairs pairs, int batchSize, boolean images) {
        int dim = graph.model().config().embedDim();
        int n = pairs.size();
        float[] out = new float[n * dim];
        Batch batch = new Batch(graph.model().config(), batchSize);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            batch.fill(pairs, order, from, count);
            float[] embeddings = images ? graph.encodeImages(batch) : graph.encodeTexts(batch);
            System.arraycopy(embeddings, 0, out, from * dim, count * dim);
        }
        normalizeRows(out, n, dim);
        return out;
    }

    /** Unit-length embeddings of the captions, {@code [captions, dim]}. */
    public static float[] embedCaptions(ClipGraph graph, List<String> captions, int batchSize) {
        ModelConfig config = graph.model().config();
        Vocabulary vocabulary = graph.model().vocabulary();
        int n = captions.size();
        int[][] tokens = new int[n][];
        for (int i = 0; i < n; i++) {
            tokens[i] = vocabulary.encode(captions.get(i), config.maxTokens(), "class caption " + (i + 1));
        }
        float[] out = new float[n * config.embedDim()];
        Batch batch = new Batch(config, batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            batch.fillCaptions(tokens, from, count);
            System.arraycopy(graph.encodeTexts(batch), 0, out, from * config.embedDim(), count * config.embedDim());
        }
        normalizeRows(out, n, config.embedDim());
        return out;
    }

    private static void normalizeRows(float[] x, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int d = 0; d < dim; d++) {
                sum += (double) x[r * dim + d] * x[r * dim + d];
            }
            double norm = Math.max(Math.sqrt(sum), 1e-12);
            for (int d = 0; d < dim; d++) {
                x[r * dim + d] = (float) (x[r * dim + d] / norm);
            }
        }
    }
}
