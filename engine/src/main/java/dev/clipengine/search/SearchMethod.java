package dev.clipengine.search;

import dev.clipengine.kernels.Backend;

import java.nio.file.Path;

/**
 * How an index is searched: exactly, by one matrix product, or through an HNSW graph. Left to
 * choose, indexes of {@link #HNSW_FROM} images or more take the graph: below that an exact search
 * costs a few milliseconds and a graph buys nothing (docs/search.md has the measurements).
 */
public enum SearchMethod {
    AUTO, EXACT, HNSW;

    /** The size from which {@link #AUTO} takes the graph, and {@code index} stores one. */
    public static final int HNSW_FROM = 100_000;

    /** A search ready to answer queries, and how its graph came about, when it has one. */
    public record Opened(ImageSearch search, String how) {}

    /**
     * True when this method searches the index through a graph. Left to choose, it never takes
     * one for embeddings longer than a graph holds.
     */
    public boolean usesGraph(IndexFile index) {
        return this == HNSW || (this == AUTO && index.size() >= HNSW_FROM && index.dim() <= HnswSearch.MAX_DIM);
    }

    /**
     * Opens the search: the graph stored beside the index file when it is there and belongs to
     * this version of the index, else one built in memory.
     */
    public Opened open(IndexFile index, Path indexFile, Backend backend, int candidates) {
        if (!usesGraph(index)) {
            return new Opened(new ExactSearch(index, backend), "exact: one matrix product over every image");
        }
        Path folder = HnswSearch.folderBeside(indexFile);
        HnswSearch stored = HnswSearch.open(index, folder, candidates);
        if (stored != null) {
            return new Opened(stored, "hnsw: the graph stored in " + folder);
        }
        long started = System.nanoTime();
        HnswSearch built = HnswSearch.inMemory(index, candidates);
        return new Opened(built, String.format("hnsw: no graph stored beside the index, built one in memory in %.1f s "
                + "(clip-engine index --hnsw stores it)", (System.nanoTime() - started) / 1e9));
    }
}
