package dev.clipengine.bench.search;

import dev.clipengine.eval.Embeddings;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.search.ExactSearch;
import dev.clipengine.search.Hit;
import dev.clipengine.search.HnswSearch;
import dev.clipengine.search.ImageSearch;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.ModelIdentity;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How well and how fast an index of labelled images ({@link IdxToPngs}'s files) is searched: for
 * each class's caption, precision@10 of exact and HNSW search against the labels in the file
 * names; recall@10 of HNSW against exact search over those captions and over images of the index
 * as queries; and the latency of one query, p50 and p99, each way.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.clipengine.bench.search.SearchQuality
 *     INDEX MODEL [ROUNDS]</pre>
 */
public final class SearchQuality {

    private static final int K = 10;
    private static final int IMAGE_QUERIES = 1000;

    private SearchQuality() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SearchQuality INDEX MODEL [ROUNDS]");
            System.exit(2);
        }
        Path indexFile = Path.of(args[0]);
        Path modelFile = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        IndexFile index = IndexFile.read(indexFile);
        ClipModel model = Checkpoints.load(modelFile);
        index.model().requireSameAs(ModelIdentity.of(model, modelFile), indexFile);
        List<String> classes = List.copyOf(new TreeSet<>(index.paths().stream().map(IdxToPngs::labelOf).toList()));
        List<String> captions = classes.stream().map(c -> "a photo of a " + c).toList();
        try (Backend backend = Backends.create("vector", Runtime.getRuntime().availableProcessors())) {
            float[] queries = Embeddings.ofCaptions(ClipGraph.forEncoding(model, backend, captions.size()), captions,
                    captions.size());
            ExactSearch exact = new ExactSearch(index, backend);
            long started = System.nanoTime();
            try (HnswSearch stored = HnswSearch.open(index, HnswSearch.folderBeside(indexFile), HnswSearch.DEFAULT_CANDIDATES)) {
                System.out.printf(Locale.ROOT, "%d images of %d dimensions, %d classes, %s%n", index.size(), index.dim(),
                        classes.size(), stored != null ? "graph stored beside the index" : "no stored graph");
            }
            HnswSearch.inMemory(index, HnswSearch.DEFAULT_CANDIDATES).close();
            System.out.printf(Locale.ROOT, "HNSW graph built in memory in %.2f s%n", (System.nanoTime() - started) / 1e9);

            System.out.printf("%-32s %9s %9s%n", "caption", "exact P@10", "hnsw P@10");
            double exactTotal = 0;
            double hnswTotal = 0;
            try (HnswSearch hnsw = HnswSearch.inMemory(index, HnswSearch.DEFAULT_CANDIDATES)) {
                for (int c = 0; c < captions.size(); c++) {
                    float[] query = Arrays.copyOfRange(queries, c * index.dim(), (c + 1) * index.dim());
                    double p = precision(exact.search(query, K), classes.get(c));
                    double h = precision(hnsw.search(query, K), classes.get(c));
                    exactTotal += p;
                    hnswTotal += h;
                    System.out.printf(Locale.ROOT, "%-32s %9.2f %9.2f%n", captions.get(c), p, h);
                }
            }
            System.out.printf(Locale.ROOT, "%-32s %9.3f %9.3f%n", "mean", exactTotal / captions.size(),
                    hnswTotal / captions.size());

            float[] imageQueries = Arrays.copyOf(index.embeddings(), Math.min(IMAGE_QUERIES, index.size()) * index.dim());
            for (int candidates : new int[] {10, 40, HnswSearch.DEFAULT_CANDIDATES}) {
                try (HnswSearch hnsw = HnswSearch.inMemory(index, candidates)) {
                    System.out.printf(Locale.ROOT, "candidates %3d: recall@10 %.4f over the captions, %.4f over %d images;"
                                    + " latency %s%n", candidates, recall(exact, hnsw, queries, captions.size(), index.dim()),
                            recall(exact, hnsw, imageQueries, imageQueries.length / index.dim(), index.dim()),
                            imageQueries.length / index.dim(), latency(hnsw, queries, captions.size(), index.dim(), rounds));
                }
            }
            System.out.printf(Locale.ROOT, "exact: latency %s%n", latency(exact, queries, captions.size(), index.dim(), rounds));
        }
    }

    private static double precision(List<Hit> hits, String label) {
        return hits.stream().filter(h -> IdxToPngs.labelOf(h.path()).equals(label)).count() / (double) hits.size();
    }

    /** The share of exact search's top 10 that HNSW search finds, over all the queries. */
    private static double recall(ExactSearch exact, ImageSearch hnsw, float[] queries, int count, int dim) {
        List<List<Hit>> truth = exact.searchAll(queries, count, K);
        int found = 0;
        int total = 0;
        for (int q = 0; q < count; q++) {
            Set<Integer> rows = new HashSet<>();
            truth.get(q).forEach(h -> rows.add(h.row()));
            for (Hit hit : hnsw.search(Arrays.copyOfRange(queries, q * dim, (q + 1) * dim), K)) {
                found += rows.contains(hit.row()) ? 1 : 0;
            }
            total += rows.size();
        }
        return found / (double) total;
    }

    /** p50 and p99 of one query's time, after a warm-up of as many rounds, every query once a round. */
    private static String latency(ImageSearch search, float[] queries, int count, int dim, int rounds) {
        long[] nanos = new long[rounds * count];
        for (int warm = 0; warm < 2; warm++) {
            for (int r = 0; r < rounds; r++) {
                for (int q = 0; q < count; q++) {
                    float[] query = Arrays.copyOfRange(queries, q * dim, (q + 1) * dim);
                    long started = System.nanoTime();
                    search.search(query, K);
                    nanos[r * count + q] = System.nanoTime() - started;
                }
            }
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "p50 %.3f ms, p99 %.3f ms (%d queries)", nanos[nanos.length / 2] / 1e6,
                nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6, nanos.length);
    }
}
