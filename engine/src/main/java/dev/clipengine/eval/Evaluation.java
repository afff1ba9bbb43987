package dev.clipengine.eval;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Scores a model on pairs the CLIP way, by cosine similarity: zero-shot classification (each
 * image takes the class whose prompt embedding is nearest) and retrieval in both directions.
 *
 * <p>A retrieved item is a hit when it is the query's own pair, a pair of the same class (data
 * with classes), or, without classes, a pair with the same caption text: several pairs can share
 * a caption, and no model can tell such pairs apart.
 */
public final class Evaluation {

    /** The k of recall at k. */
    public static final int[] RECALL_AT = {1, 5, 10};

    /**
     * What was measured; fractions in [0, 1]. Without classes, the zero-shot fields are NaN and
     * the confusion matrix is empty.
     *
     * @param confusion         {@code confusion[true class][predicted class]} image counts
     * @param perClassTop1      zero-shot top-1 of each class's images (NaN for a class without any)
     * @param imageToTextRecall recall at each k of {@link #RECALL_AT}, images querying captions
     * @param textToImageRecall the same, captions querying images
     */
    public record Report(int pairs, int classes, double zeroShotTop1, double zeroShotTop5, double[] perClassTop1,
                         int[][] confusion, double[] imageToTextRecall, double[] textToImageRecall) {
    }

    private Evaluation() {
    }

    /**
     * @param classPrompts one or more prompts per class (label k is entry k); empty without classes
     */
    public static Report evaluate(ClipGraph graph, EncodedPairs pairs, List<List<String>> classPrompts,
                                  int batchSize) {
        int n = pairs.size();
        int dim = graph.model().config().embedDim();
        double[] noRecall = new double[RECALL_AT.length];
        Arrays.fill(noRecall, Double.NaN);
        if (n == 0) {
            return new Report(0, 0, Double.NaN, Double.NaN, new double[0], new int[0][0], noRecall, noRecall.clone());
        }
        float[] images = Embeddings.ofPairs(graph, pairs, batchSize, true);
        float[] texts = Embeddings.ofPairs(graph, pairs, batchSize, false);
        int[] labels = new int[n];
        boolean classed = !classPrompts.isEmpty();
        for (int i = 0; i < n; i++) {
            labels[i] = pairs.example(i).label();
            classed &= labels[i] >= 0 && labels[i] < classPrompts.size();
        }

        int classes = classed ? classPrompts.size() : 0;
        double top1 = Double.NaN;
        double top5 = Double.NaN;
        double[] perClass = new double[classes];
        int[][] confusion = new int[classes][classes];
        if (classed) {
            float[] classEmbeddings = Embeddings.ofClasses(graph, classPrompts, batchSize);
            int hits1 = 0;
            int hits5 = 0;
            int[] perClassCount = new int[classes];
            int[] perClassHits = new int[classes];
            for (int i = 0; i < n; i++) {
                int[] ranked = rank(images, i, classEmbeddings, classes, dim, Math.min(5, classes));
                confusion[labels[i]][ranked[0]]++;
                perClassCount[labels[i]]++;
                if (ranked[0] == labels[i]) {
                    hits1++;
                    perClassHits[labels[i]]++;
                }
                for (int r : ranked) {
                    if (r == labels[i]) {
                        hits5++;
                    }
                }
            }
            top1 = (double) hits1 / n;
            top5 = (double) hits5 / n;
            for (int c = 0; c < classes; c++) {
                perClass[c] = perClassCount[c] == 0 ? Double.NaN : (double) perClassHits[c] / perClassCount[c];
            }
        }
        double[] imageToText = recall(graph.backend(), images, texts, pairs, labels, classed, dim);
        double[] textToImage = recall(graph.backend(), texts, images, pairs, labels, classed, dim);
        return new Report(n, classes, top1, top5, perClass, confusion, imageToText, textToImage);
    }

    /** Queries scored at once: their rows of scores against every candidate stay a few MB. */
    private static final int QUERY_BLOCK = 256;

    /**
     * Recall at each k of {@link #RECALL_AT}: queries row i of {@code queries} against all
     * candidates. The n x n similarities are one matrix product per block of queries on the
     * backend, as retrieval over thousands of pairs is otherwise the slowest part of an evaluation.
     */
    private static double[] recall(Backend backend, float[] queries, float[] candidates, EncodedPairs pairs,
                                   int[] labels, boolean classed, int dim) {
        int n = pairs.size();
        int deepest = Math.min(RECALL_AT[RECALL_AT.length - 1], n);
        int[] hits = new int[RECALL_AT.length];
        float[] scores = new float[Math.min(QUERY_BLOCK, n) * n];
        for (int first = 0; first < n; first += QUERY_BLOCK) {
            int rows = Math.min(QUERY_BLOCK, n - first);
            backend.sgemm(false, true, rows, n, dim, 1f, queries, first * dim, dim, candidates, 0, dim, 0f, scores, 0, n);
            for (int row = 0; row < rows; row++) {
                int q = first + row;
                int offset = row * n;
                int[] ranked = top(c -> scores[offset + c], n, deepest);
                int firstHit = Integer.MAX_VALUE;
                for (int r = 0; r < ranked.length; r++) {
                    if (matches(pairs, labels, classed, q, ranked[r])) {
                        firstHit = r;
                        break;
                    }
                }
                for (int k = 0; k < RECALL_AT.length; k++) {
                    if (firstHit < RECALL_AT[k]) {
                        hits[k]++;
                    }
                }
            }
        }
        double[] recall = new double[RECALL_AT.length];
        for (int k = 0; k < RECALL_AT.length; k++) {
            recall[k] = (double) hits[k] / n;
        }
        return recall;
    }

    private static boolean matches(EncodedPairs pairs, int[] labels, boolean classed, int query, int found) {
        if (found == query) {
            return true;
        }
        return classed ? labels[found] == labels[query] : Arrays.equals(pairs.tokens(found), pairs.tokens(query));
    }

    /**
     * The indices of the {@code depth} candidates most similar to row q of queries, best first;
     * ties go to the lower index, so rankings repeat exactly.
     */
    static int[] rank(float[] queries, int q, float[] candidates, int count, int dim, int depth) {
        return top(c -> Embeddings.similarity(queries, q, candidates, c, dim), count, depth);
    }

    /** The {@code depth} indices of highest score among {@code 0..count-1}, best first, ties to the lower. */
    private static int[] top(IntToDoubleFunction score, int count, int depth) {
        int[] best = new int[depth];
        double[] scores = new double[depth];
        Arrays.fill(scores, Double.NEGATIVE_INFINITY);
        Arrays.fill(best, -1);
        for (int c = 0; c < count; c++) {
            double value = score.applyAsDouble(c);
            int position = depth;
            while (position > 0 && (value > scores[position - 1] || best[position - 1] < 0)) {
                position--;
            }
            if (position < depth) {
                System.arraycopy(scores, position, scores, position + 1, depth - position - 1);
                System.arraycopy(best, position, best, position + 1, depth - position - 1);
                scores[position] = value;
                best[position] = c;
            }
        }
        return best;
    }
}
