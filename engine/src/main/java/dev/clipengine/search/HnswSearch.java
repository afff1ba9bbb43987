package dev.clipengine.search;

import dev.clipengine.BadInputException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Approximate nearest images through Lucene's HNSW graph ({@link KnnFloatVectorField}, dot
 * product of unit vectors): the graph is searched for {@code candidates} images, which are then
 * scored exactly against the index's embeddings and the best k returned. The graph is built from
 * an index, in memory or into a folder beside it ({@code INDEX.hnsw}) that remembers the index's
 * {@link IndexFile#id()}, so a graph left over from an earlier version of the index is never used.
 * Only this class touches Lucene: exact search does not load it.
 */
public final class HnswSearch implements ImageSearch {

    /** Images the graph search looks for before exact rescoring: its beam width, at least k. */
    public static final int DEFAULT_CANDIDATES = 100;

    /** The longest embedding Lucene's vector fields take. */
    public static final int MAX_DIM = 1024;

    private static final String VECTOR = "embedding";
    private static final String ROW = "row";
    private static final String INDEX_ID = "clip-engine-index-id";
    /**
     * Held so the level set on it stays: Lucene says at INFO which vector instructions it found,
     * and warns when the Vector API is not enabled, which the command line already says.
     */
    private static final Logger LUCENE_VECTORS = Logger.getLogger("org.apache.lucene.internal.vectorization");

    static {
        LUCENE_VECTORS.setLevel(Level.SEVERE);
    }

    private final IndexFile index;
    private final Directory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final int candidates;

    private HnswSearch(IndexFile index, Directory directory, int candidates) throws IOException {
        this.index = index;
        this.directory = directory;
        this.reader = DirectoryReader.open(directory);
        this.searcher = new IndexSearcher(reader);
        this.candidates = candidates;
    }

    /** Builds the graph in memory: the index's size decides the cost (docs/search.md). */
    public static HnswSearch inMemory(IndexFile index, int candidates) {
        try {
            Directory directory = new ByteBuffersDirectory();
            build(index, directory);
            return new HnswSearch(index, directory, candidates);
        } catch (IOException e) {
            throw new UncheckedIOException("building an HNSW graph in memory", e);
        }
    }

    /** The folder beside an index where its graph is kept: {@code INDEX.hnsw}. */
    public static Path folderBeside(Path indexFile) {
        return indexFile.resolveSibling(indexFile.getFileName() + ".hnsw");
    }

    /**
     * Builds the graph into {@code folder}, replacing what was there only once the new graph is
     * complete (it is built in a hidden folder beside it and renamed).
     */
    public static void write(IndexFile index, Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath();
        Path building = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".");
        try {
            try (Directory directory = FSDirectory.open(building)) {
                build(index, directory);
            }
            deleteTree(absolute);
            Files.move(building, absolute);
        } finally {
            deleteTree(building);
        }
    }

    /**
     * The graph stored in {@code folder}, or null when there is none or it belongs to another
     * version of the index.
     */
    public static HnswSearch open(IndexFile index, Path folder, int candidates) {
        if (!Files.isDirectory(folder)) {
            return null;
        }
        Directory directory = null;
        try {
            directory = FSDirectory.open(folder);
            if (!DirectoryReader.indexExists(directory)) {
                directory.close();
                return null;
            }
            Map<String, String> userData = DirectoryReader.listCommits(directory).getLast().getUserData();
            if (!index.id().equals(userData.get(INDEX_ID))) {
                directory.close();
                return null;
            }
            return new HnswSearch(index, directory, candidates);
        } catch (IOException | RuntimeException e) {
            closeQuietly(directory);
            throw new BadInputException(folder + ": the stored HNSW graph cannot be read (" + e.getMessage()
                    + "); delete the folder, or run clip-engine index again to rebuild it");
        }
    }

    private static void build(IndexFile index, Directory directory) throws IOException {
        if (index.dim() > MAX_DIM) {
            throw new BadInputException("an HNSW graph takes embeddings of at most " + MAX_DIM + " values, and this "
                    + "index's have " + index.dim() + ": search it exactly");
        }
        IndexWriterConfig config = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                .setRAMBufferSizeMB(256);
        int dim = index.dim();
        float[] embeddings = index.embeddings();
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (int row = 0; row < index.size(); row++) {
                float[] vector = new float[dim];
                System.arraycopy(embeddings, row * dim, vector, 0, dim);
                Document document = new Document();
                document.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
                document.add(new StoredField(ROW, row));
                writer.addDocument(document);
            }
            // one segment, one graph: a search walks one graph instead of one per segment
            writer.forceMerge(1);
            writer.setLiveCommitData(Map.of(INDEX_ID, index.id()).entrySet());
            writer.commit();
        }
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        int wanted = Math.max(k, candidates);
        try {
            TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, query, wanted), wanted);
            var stored = searcher.storedFields();
            List<Hit> hits = new ArrayList<>(top.scoreDocs.length);
            int dim = index.dim();
            float[] embeddings = index.embeddings();
            for (ScoreDoc doc : top.scoreDocs) {
                int row = stored.document(doc.doc).getField(ROW).numericValue().intValue();
                float dot = 0;
                for (int d = 0; d < dim; d++) {
                    dot += query[d] * embeddings[row * dim + d];
                }
                hits.add(new Hit(row, index.path(row), dot));
            }
            hits.sort(TopHits.BEST_FIRST);
            return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
        } catch (IOException e) {
            throw new UncheckedIOException("searching the HNSW graph", e);
        }
    }

    @Override
    public String method() {
        return "hnsw";
    }

    @Override
    public void close() {
        closeQuietly(reader);
        closeQuietly(directory);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing more to release
        }
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
