package dev.clipengine.bench.search;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.search.ExactSearch;
import dev.clipengine.search.Hit;
import dev.clipengine.search.HnswSearch;
import dev.clipengine.search.ImageSearch;
import dev.clipengine.search.IndexFile;
import dev.clipengine.search.ModelIdentity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * What exact and HNSW search cost as an index grows, on random unit vectors (the hardest case for
 * a graph: no clusters): one query's latency each way, recall@10 of the graph, and the time to
 * build the graph in memory and to store it. {@code exact-only} skips the graph, for sizes whose
 * graph takes minutes to build.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.clipengine.bench.search.SearchScaling
 *     IMAGES DIM [exact-only]</pre>
 */
public final class SearchScaling {

    private static final int QUERIES = 50;

    private SearchScaling() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int dim = Integer.parseInt(args[1]);
        boolean exactOnly = args.length > 2 && args[2].equals("exact-only");
        Random random = new Random(1);
        IndexFile index = new IndexFile(new ModelIdentity("random", "0".repeat(64)), dim, paths(count), new long[count],
                new long[count], unitRows(random, count, dim));
        float[] queries = unitRows(random, QUERIES, dim);
        try (Backend backend = Backends.create("vector", Runtime.getRuntime().availableProcessors())) {
            ExactSearch exact = new ExactSearch(index, backend);
            System.out.printf(Locale.ROOT, "%d images x %d: exact %s%n", count, dim, latency(exact, queries, dim));
            if (exactOnly) {
                return;
            }
            long started = System.nanoTime();
            try (HnswSearch hnsw = HnswSearch.inMemory(index, HnswSearch.DEFAULT_CANDIDATES)) {
                double built = (System.nanoTime() - started) / 1e9;
                List<List<Hit>> truth = exact.searchAll(queries, QUERIES, 10);
                int found = 0;
                for (int q = 0; q < QUERIES; q++) {
                    Set<Integer> rows = new HashSet<>();
                    truth.get(q).forEach(h -> rows.add(h.row()));
                    found += (int) hnsw.search(Arrays.copyOfRange(queries, q * dim, (q + 1) * dim), 10).stream()
                            .filter(h -> rows.contains(h.row())).count();
                }
                System.out.printf(Locale.ROOT, "%d images x %d: hnsw built in memory in %.1f s, recall@10 %.3f, %s%n",
                        count, dim, built, found / (QUERIES * 10.0), latency(hnsw, queries, dim));
            }
            Path folder = Files.createTempDirectory("scaling").resolve("graph");
            started = System.nanoTime();
            HnswSearch.write(index, folder);
            System.out.printf(Locale.ROOT, "%d images x %d: hnsw stored in %.1f s; opening it and one query: ", count, dim,
                    (System.nanoTime() - started) / 1e9);
            started = System.nanoTime();
            try (HnswSearch stored = HnswSearch.open(index, folder, HnswSearch.DEFAULT_CANDIDATES)) {
                stored.search(Arrays.copyOf(queries, dim), 10);
            }
            System.out.printf(Locale.ROOT, "%.1f ms%n", (System.nanoTime() - started) / 1e6);
        }
    }

    private static String latency(ImageSearch search, float[] queries, int dim) {
        long[] nanos = new long[QUERIES];
        for (int round = 0; round < 3; round++) {
            for (int q = 0; q < QUERIES; q++) {
                float[] query = Arrays.copyOfRange(queries, q * dim, (q + 1) * dim);
                long started = System.nanoTime();
                search.search(query, 10);
                nanos[q] = System.nanoTime() - started;
            }
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms", nanos[QUERIES / 2] / 1e6,
                nanos[(int) Math.ceil(QUERIES * 0.99) - 1] / 1e6);
    }

    private static List<String> paths(int count) {
        List<String> paths = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            paths.add("/random/" + i);
        }
        return paths;
    }

    private static float[] unitRows(Random random, int count, int dim) {
        float[] rows = new float[count * dim];
        for (int r = 0; r < count; r++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                rows[r * dim + d] = (float) random.nextGaussian();
                norm += (double) rows[r * dim + d] * rows[r * dim + d];
            }
            for (int d = 0; d < dim; d++) {
                rows[r * dim + d] /= (float) Math.sqrt(norm);
            }
        }
        return rows;
    }
}
