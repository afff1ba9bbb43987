package dev.clipengine.search;

import dev.clipengine.kernels.Backend;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact nearest images: the query against every row of the index in one matrix product on the
 * backend ({@code scores = queries * embeddings^T}), then the best k of each row of scores. The
 * backend is not thread-safe, so neither is the search: a caller serving several threads
 * serialises them or gives each its own.
 */
public final class ExactSearch implements ImageSearch {

    private final IndexFile index;
    private final Backend backend;

    public ExactSearch(IndexFile index, Backend backend) {
        this.index = index;
        this.backend = backend;
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        return searchAll(query, 1, k).getFirst();
    }

    /** The best k of every query at once: {@code queries} is {@code [count, dim]}. */
    public List<List<Hit>> searchAll(float[] queries, int count, int k) {
        int n = index.size();
        int dim = index.dim();
        if (queries.length < count * dim) {
            throw new IllegalArgumentException(count + " queries of " + dim + " values need " + count * dim);
        }
        float[] scores = new float[count * n];
        if (n > 0) {
            backend.sgemm(false, true, count, n, dim, 1f, queries, 0, dim, index.embeddings(), 0, dim, 0f, scores, 0, n);
        }
        List<List<Hit>> results = new ArrayList<>(count);
        for (int q = 0; q < count; q++) {
            results.add(TopHits.of(scores, q * n, n, Math.min(k, n), index));
        }
        return results;
    }

    @Override
    public String method() {
        return "exact";
    }
}
