package dev.clipengine.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Rankings by cosine similarity, on unit vectors worked out by hand. */
class EvaluationTest {

    // four unit candidates in 2-d: right, up, left, and up again (a tie with candidate 1)
    private static final float[] CANDIDATES = {1, 0, 0, 1, -1, 0, 0, 1};

    @Test
    void ranksBestFirstAndBreaksTiesByTheLowerIndex() {
        float[] query = {0.6f, 0.8f}; // similarities: 0.6, 0.8, -0.6, 0.8
        assertArrayEquals(new int[] {1, 3, 0, 2}, Evaluation.rank(query, 0, CANDIDATES, 4, 2, 4));
        assertArrayEquals(new int[] {1, 3}, Evaluation.rank(query, 0, CANDIDATES, 4, 2, 2));
    }

    @Test
    void ranksTheQueryRowItIsGiven() {
        float[] queries = {0, 1, -1, 0};
        assertArrayEquals(new int[] {2, 1}, Evaluation.rank(queries, 1, CANDIDATES, 4, 2, 2));
    }
}
