package dev.clipengine.data;

import dev.clipengine.model.Batch;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A prefetched batch equals one filled in place, and a failed fill surfaces in the waiting thread. */
class BatchPrefetcherTest {

    private static final ModelConfig CONFIG = ModelConfig.seed(1);

    @Test
    void aPrefetchedBatchEqualsOneFilledInPlace() {
        EncodedPairs pairs = pairs(23);
        int[] order = new int[pairs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = (i * 7) % order.length;
        }
        try (BatchPrefetcher prefetcher = new BatchPrefetcher(pairs, order)) {
            for (int from = 0; from + 5 <= order.length; from += 5) {
                Batch expected = new Batch(pairs.config(), 5);
                pairs.fill(expected, order, from, 5);
                Batch prefetched = new Batch(pairs.config(), 5);
                prefetcher.request(prefetched, from, 5);
                prefetcher.await();
                assertArrayEquals(expected.patches, prefetched.patches, "patches from " + from);
                assertArrayEquals(expected.tokenIds, prefetched.tokenIds, "tokens from " + from);
                assertArrayEquals(expected.labels, prefetched.labels, "labels from " + from);
            }
        }
    }

    @Test
    void aFailedFillIsRethrownByAwait() {
        EncodedPairs pairs = pairs(4);
        try (BatchPrefetcher prefetcher = new BatchPrefetcher(pairs, new int[] {0, 1, 2, 3})) {
            prefetcher.request(new Batch(pairs.config(), 2), 0, 3);
            assertThrows(IllegalArgumentException.class, prefetcher::await);
            // and the prefetcher goes on working
            prefetcher.request(new Batch(pairs.config(), 2), 0, 2);
            prefetcher.await();
        }
    }

    private static EncodedPairs pairs(int count) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] pixels = new byte[CONFIG.imageSize() * CONFIG.imageSize()];
            pixels[i % pixels.length] = (byte) (10 + i);
            examples.add(new Example(pixels, 1, CONFIG.imageSize(), i % 2 == 0 ? "red square" : "big blue circle", i % 2));
        }
        Vocabulary vocabulary = Vocabulary.fromCaptions(examples.stream().map(Example::caption).toList());
        return new EncodedPairs(CONFIG.withVocabSize(vocabulary.size()), vocabulary, examples, "test");
    }
}
