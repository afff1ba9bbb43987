package dev.clipengine.server;

import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipModel;
import dev.clipengine.search.Hit;
import dev.clipengine.search.HnswSearch;
import dev.clipengine.search.ImageSearch;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.ModelIdentity;
import dev.clipengine.search.SearchMethod;

import java.nio.file.Path;
import java.util.List;

/**
 * An image index written by {@code clip-engine index} (docs/search.md), opened for the server's
 * {@code /search}: searched exactly or through its HNSW graph as {@code clip-engine search} would
 * choose. The exact search computes on a backend of its own, which is not thread-safe, so searches
 * take turns; each is a matrix product of one row, short beside the query's encoding.
 */
public final class SearchIndex implements AutoCloseable {

    private final ImageSearch search;
    private final Backend backend;
    private final int size;
    private final String how;

    private SearchIndex(ImageSearch search, Backend backend, int size, String how) {
        this.search = search;
        this.backend = backend;
        this.size = size;
        this.how = how;
    }

    /**
     * Reads the index and checks it was made by the model at {@code checkpoint}; anything wrong is
     * a {@code BadInputException} of one line.
     */
    public static SearchIndex open(Path indexFile, Path checkpoint, String backendName, int threads) {
        IndexFile index = IndexFile.read(indexFile);
        // the model is read once more for its identity: the engine serving the queries keeps its
        // own copy to itself, and this one is dropped once hashed
        ClipModel model = Checkpoints.load(checkpoint);
        index.model().requireSameAs(ModelIdentity.of(model, checkpoint), indexFile);
        Backend backend = Backends.create(backendName, threads);
        try {
            SearchMethod.Opened opened = SearchMethod.AUTO.open(index, indexFile, backend,
                    HnswSearch.DEFAULT_CANDIDATES);
            return new SearchIndex(opened.search(), backend, index.size(), opened.how());
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    /** The k images nearest to a unit-length query of the index's dimension, best first. */
    synchronized List<Hit> search(float[] query, int k) {
        return search.search(query, k);
    }

    public int size() {
        return size;
    }

    /** {@code exact} or {@code hnsw}. */
    String method() {
        return search.method();
    }

    /** How the search was opened, for the server's first line. */
    public String how() {
        return how;
    }

    @Override
    public synchronized void close() {
        search.close();
        backend.close();
    }
}
