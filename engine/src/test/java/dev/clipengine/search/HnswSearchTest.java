package dev.clipengine.search;

import dev.clipengine.BadInputException;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HnswSearchTest {

    @Test
    void findsNearlyAllOfExactSearchsTopTenOnRandomVectors() {
        Random random = new Random(11);
        int dim = 32;
        IndexFile index = RandomIndexes.of(RandomIndexes.unitRows(random, 3000, dim), dim);
        int count = 100;
        float[] queries = RandomIndexes.unitRows(random, count, dim);
        try (Backend backend = Backends.create(Backends.defaultName(), 2);
             HnswSearch hnsw = HnswSearch.inMemory(index, HnswSearch.DEFAULT_CANDIDATES)) {
            List<List<Hit>> truth = new ExactSearch(index, backend).searchAll(queries, count, 10);
            int found = 0;
            for (int q = 0; q < count; q++) {
                Set<Integer> rows = new HashSet<>();
                truth.get(q).forEach(h -> rows.add(h.row()));
                List<Hit> hits = hnsw.search(Arrays.copyOfRange(queries, q * dim, (q + 1) * dim), 10);
                assertEquals(10, hits.size());
                for (int i = 1; i < hits.size(); i++) {
                    assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), "best first");
                }
                found += (int) hits.stream().filter(h -> rows.contains(h.row())).count();
            }
            double recall = found / (count * 10.0);
            // random directions in 32 dimensions are the hard case for a graph; real embeddings cluster
            assertTrue(recall >= 0.95, "recall@10 " + recall);
        }
    }

    @Test
    void refusesEmbeddingsLongerThanLuceneTakes() {
        int dim = HnswSearch.MAX_DIM + 1;
        IndexFile index = RandomIndexes.of(RandomIndexes.unitRows(new Random(5), 2, dim), dim);
        BadInputException e = assertThrows(BadInputException.class, () -> HnswSearch.inMemory(index, 10));
        assertTrue(e.getMessage().contains("at most 1024 values") && e.getMessage().contains("search it exactly"),
                e.getMessage());
    }

    @Test
    void aStoredGraphServesOnlyTheIndexItWasBuiltFor(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        int dim = 8;
        float[] rows = RandomIndexes.unitRows(random, 200, dim);
        IndexFile index = RandomIndexes.of(rows, dim);
        Path folder = HnswSearch.folderBeside(dir.resolve("photos.index"));
        assertEquals("photos.index.hnsw", folder.getFileName().toString());
        HnswSearch.write(index, folder);
        HnswSearch.write(index, folder);
        float[] query = Arrays.copyOf(rows, dim);
        try (HnswSearch stored = HnswSearch.open(index, folder, 50)) {
            assertNotNull(stored);
            assertEquals(0, stored.search(query, 1).getFirst().row(), "a row is its own nearest image");
        }
        IndexFile rewritten = RandomIndexes.of(rows, dim);
        assertNull(HnswSearch.open(rewritten, folder, 50), "another version of the index has another id");
        assertNull(HnswSearch.open(index, dir.resolve("none.hnsw"), 50));
    }
}
