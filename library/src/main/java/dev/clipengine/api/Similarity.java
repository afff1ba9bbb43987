package dev.clipengine.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Cosine similarity between embeddings, and the nearest of many to a query. */
public final class Similarity {

    private Similarity() {
    }

    /**
     * The cosine of the angle between {@code a} and {@code b}, summed in double precision. For the
     * engine's embeddings, which are unit vectors, it is their dot product.
     *
     * @param a one vector
     * @param b another, of the same length
     * @return their cosine, from -1 to 1
     * @throws IllegalArgumentException when the lengths differ or either vector is zero
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of lengths " + a.length + " and " + b.length);
        }
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        if (aa == 0 || bb == 0) {
            throw new IllegalArgumentException("the cosine of a zero vector is undefined");
        }
        return dot / Math.sqrt(aa * bb);
    }

    /**
     * As {@link #nearest(float[], List, int)}, for the rows of an array.
     *
     * @param query      the vector searched for
     * @param candidates the vectors searched, each of the query's length
     * @param k          how many to return, at most
     * @return the nearest candidates, most similar first
     */
    public static List<Match> nearest(float[] query, float[][] candidates, int k) {
        return nearest(query, Arrays.asList(candidates), k);
    }

    /**
     * The {@code k} candidates most similar to {@code query}, most similar first (ties by lower
     * index); fewer when there are fewer candidates. A linear scan: for millions of candidates
     * use an index.
     *
     * @param query      the vector searched for
     * @param candidates the vectors searched, each of the query's length
     * @param k          how many to return, at most
     * @return the nearest candidates, most similar first
     * @throws IllegalArgumentException when k is not positive or a length differs
     */
    public static List<Match> nearest(float[] query, List<float[]> candidates, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        Comparator<Match> better = Comparator.comparingDouble(Match::cosine)
                .thenComparing(Comparator.comparingInt(Match::index).reversed());
        // the k best so far, the worst of them on top so it is the one replaced
        PriorityQueue<Match> best = new PriorityQueue<>(better);
        for (int i = 0; i < candidates.size(); i++) {
            Match match = new Match(i, cosine(query, candidates.get(i)));
            if (best.size() < k) {
                best.add(match);
            } else if (better.compare(match, best.peek()) > 0) {
                best.poll();
                best.add(match);
            }
        }
        List<Match> ranked = new ArrayList<>(best);
        ranked.sort(better.reversed());
        return ranked;
    }
}
