package dev.clipengine.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Indexes of random unit vectors, for the search tests. */
final class RandomIndexes {

    static final ModelIdentity MODEL = new ModelIdentity("/models/m.safetensors", "ab".repeat(32));

    private RandomIndexes() {
    }

    /** {@code count} rows of unit length, each a Gaussian direction. */
    static float[] unitRows(Random random, int count, int dim) {
        float[] rows = new float[count * dim];
        for (int r = 0; r < count; r++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                float x = (float) random.nextGaussian();
                rows[r * dim + d] = x;
                norm += (double) x * x;
            }
            for (int d = 0; d < dim; d++) {
                rows[r * dim + d] /= (float) Math.sqrt(norm);
            }
        }
        return rows;
    }

    static IndexFile of(float[] embeddings, int dim) {
        int count = embeddings.length / dim;
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            paths.add(String.format("/images/%06d.png", i));
        }
        return new IndexFile(MODEL, dim, paths, new long[count], new long[count], embeddings);
    }
}
