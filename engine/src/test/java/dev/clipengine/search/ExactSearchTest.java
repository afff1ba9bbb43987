package dev.clipengine.search;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExactSearchTest {

    @Test
    void findsWhatABruteForceReferenceFinds() {
        Random random = new Random(7);
        int dim = 24;
        IndexFile index = RandomIndexes.of(RandomIndexes.unitRows(random, 777, dim), dim);
        int count = 9;
        float[] queries = RandomIndexes.unitRows(random, count, dim);
        try (Backend backend = Backends.create(Backends.defaultName(), 2)) {
            ExactSearch search = new ExactSearch(index, backend);
            List<List<Hit>> all = search.searchAll(queries, count, 10);
            for (int q = 0; q < count; q++) {
                float[] query = Arrays.copyOfRange(queries, q * dim, (q + 1) * dim);
                int[] expected = reference(index, query, 10);
                List<Hit> one = search.search(query, 10);
                assertEquals(one, all.get(q), "one query alone and among others");
                assertEquals(Arrays.toString(expected), Arrays.toString(one.stream().mapToInt(Hit::row).toArray()));
                for (Hit hit : one) {
                    assertEquals(dot(index, hit.row(), query), hit.score(), 1e-5);
                    assertEquals(index.path(hit.row()), hit.path());
                }
            }
            assertEquals(777, search.search(queries, 5000).size(), "k beyond the index gives every image");
        }
    }

    private static int[] reference(IndexFile index, float[] query, int k) {
        return IntStream.range(0, index.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer row) -> -dot(index, row, query)))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static double dot(IndexFile index, int row, float[] query) {
        double dot = 0;
        for (int d = 0; d < index.dim(); d++) {
            dot += (double) index.embeddings()[row * index.dim() + d] * query[d];
        }
        return dot;
    }
}
