package dev.clipengine.model;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.KernelTesting;
import dev.clipengine.kernels.ScalarBackend;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A graph made only to encode shares one block's buffers between all blocks and keeps no
 * gradients; it must give the training graph's embeddings and loss bit for bit.
 */
class EncodingGraphTest {

    /** Three blocks a side, so the streams alternate more than once; 2 heads; a causal text tower. */
    private static final TransformerConfig CONFIG = new TransformerConfig(8, true,
            new TransformerConfig.Vision(16, 4, 16, 3, 8, 2.0), new TransformerConfig.Text(7, 30, 16, 2, 3, 2.0),
            TransformerConfig.WORDS, PixelNormalization.OPENAI);

    static Stream<Named<Backend>> backends() {
        return Stream.concat(Stream.of(Named.of("scalar", new ScalarBackend())), KernelTesting.backendsUnderTest());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void encodesAndScoresAsTheTrainingGraphDoes(Backend backend) {
        try (backend) {
            java.util.List<String> words = new java.util.ArrayList<>(java.util.List.of(Vocabulary.UNKNOWN));
            for (int i = 1; i < 28; i++) {
                words.add("w" + i);
            }
            Vocabulary vocabulary = CONFIG.vocabularyFor(new Vocabulary(words));
            ClipModel model = ClipModel.initialize(CONFIG.withVocabSize(vocabulary.size()), vocabulary, 3);
            int n = 5;
            Batch batch = new Batch(model.config(), n);
            SplittableRandom random = new SplittableRandom(1);
            float[] pixels = new float[n * 3 * 16 * 16];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextDouble(-2, 2);
            }
            int[][] ids = new int[n][7];
            for (int[] caption : ids) {
                int length = random.nextInt(3, 8);
                caption[0] = vocabulary.id(Vocabulary.START);
                for (int t = 1; t < length - 1; t++) {
                    caption[t] = random.nextInt(1, 28);
                }
                caption[length - 1] = vocabulary.id(Vocabulary.END);
            }
            batch.fillImageValues(model.config(), pixels, n);
            int[] tokenIds;
            ClipGraph training = ClipGraph.create(model, backend, n);
            ClipGraph encoding = ClipGraph.forEncoding(model, backend, n);
            float[] trainingImages = training.encodeImages(batch).clone();
            assertArrayEquals(trainingImages, encoding.encodeImages(batch));
            batch.fillCaptions(ids, 0, n);
            tokenIds = batch.tokenIds.clone();
            float[] trainingTexts = training.encodeTexts(batch).clone();
            assertArrayEquals(trainingTexts, encoding.encodeTexts(batch));

            batch.fillImageValues(model.config(), pixels, n);
            System.arraycopy(tokenIds, 0, batch.tokenIds, 0, tokenIds.length);
            for (int k = 0; k <= n; k++) {
                batch.tokenStart[k] = k * 7;
            }
            assertEquals(training.forward(batch), encoding.forward(batch));
            assertThrows(IllegalStateException.class, encoding::backward);
        }
    }
}
