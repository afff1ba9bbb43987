package dev.clipengine.data;

import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With captions drawn per epoch, a pair's tokens follow its current epoch's template. */
class EncodedPairsTest {

    @Test
    void tokensFollowTheEpochsDraw() {
        TemplateCaptions captions = new TemplateCaptions(List.of("cat", "dog"),
                List.of("a {}", "a photo of a {}", "the {} here", "my {}"));
        int[] labels = new int[40];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 2;
        }
        EpochCaptions draws = new EpochCaptions(captions, labels, 9);
        ModelConfig config = ModelConfig.seed(1);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            examples.add(new Example(new byte[16], 1, 4, draws.caption(i), labels[i]));
        }
        Vocabulary vocabulary = Vocabulary.fromCaptions(captions.allCaptions());
        config = config.withVocabSize(vocabulary.size());
        EncodedPairs pairs = new EncodedPairs(config, vocabulary, examples, "test", draws);

        boolean changed = false;
        for (long epoch = 0; epoch < 3; epoch++) {
            pairs.startEpoch(epoch);
            for (int i = 0; i < labels.length; i++) {
                int[] expected = vocabulary.encode(captions.caption(labels[i], draws.template(i)), config.maxTokens(), "x");
                assertArrayEquals(expected, pairs.tokens(i), "epoch " + epoch + ", pair " + i);
                changed |= epoch > 0 && !Arrays.equals(pairs.tokens(i),
                        vocabulary.encode(examples.get(i).caption(), config.maxTokens(), "x"));
            }
        }
        assertTrue(changed, "later epochs draw other templates");
    }
}
