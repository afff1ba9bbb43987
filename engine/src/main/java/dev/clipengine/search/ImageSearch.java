package dev.clipengine.search;

import java.util.List;

/** Finds the images of an index nearest to a query embedding. */
public interface ImageSearch extends AutoCloseable {

    /**
     * The {@code k} images whose embeddings have the highest cosine similarity with the query, best
     * first (fewer when the index holds fewer).
     *
     * @param query a unit-length embedding of the index's dimension
     */
    List<Hit> search(float[] query, int k);

    /** {@code exact} or {@code hnsw}. */
    String method();

    @Override
    default void close() {
    }
}
