package dev.clipengine.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** The k best of many scores, kept in a small heap rather than sorting them all. */
final class TopHits {

    /** Best first; ties go to the lower row, so results never depend on the order rows are offered in. */
    static final Comparator<Hit> BEST_FIRST = Comparator.comparingDouble((Hit h) -> -h.score())
            .thenComparingInt(Hit::row);

    private TopHits() {
    }

    /** The k highest of {@code scores[from .. from + n)}, best first, rows counted from {@code from}. */
    static List<Hit> of(float[] scores, int from, int n, int k, IndexFile index) {
        if (k < 1) {
            return List.of();
        }
        PriorityQueue<Hit> worstFirst = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
        for (int row = 0; row < n; row++) {
            float score = scores[from + row];
            if (worstFirst.size() < k) {
                worstFirst.add(new Hit(row, index.path(row), score));
            } else if (score > worstFirst.peek().score()) {
                worstFirst.poll();
                worstFirst.add(new Hit(row, index.path(row), score));
            }
        }
        List<Hit> best = new ArrayList<>(worstFirst);
        best.sort(BEST_FIRST);
        return best;
    }
}
