package dev.clipengine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.text.ClipBpe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A transformer with CLIP's tokenizer takes the ids OpenAI's tokenizer gives its captions. */
class ClipBpeTokenizerTest {

    @Test
    void theFixturesModelTakesOpenAisIdsForItsCaptions() throws IOException {
        TransformerConfig config = OpenAiFixtureTest.config();
        Tokenizer tokenizer = Tokenizer.of(config, null);
        JsonNode inputs = new ObjectMapper().readTree(
                Files.readString(OpenAiFixtureTest.FIXTURE.resolve("inputs.json")));
        for (int i = 0; i < inputs.get("captions").size(); i++) {
            JsonNode tokens = inputs.get("tokens").get(i);
            int[] expected = new int[config.text().contextLength()];
            for (int t = 0; t < tokens.size(); t++) {
                expected[t] = tokens.get(t).intValue();
            }
            assertArrayEquals(expected, tokenizer.encode(inputs.get("captions").get(i).asText(), "caption " + i));
        }
    }

    @Test
    void aContextOfItsOwnCutsWithEndOfTextLast() {
        Tokenizer tokenizer = Tokenizer.clipBpe(ClipBpe.openAi(), 5);
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 49407}, tokenizer.encode("a photo of a cat", "c"));
        assertArrayEquals(new int[] {49406, 49407, 0, 0, 0}, tokenizer.encode("", "c"));
    }

    @Test
    void refusesAWordVocabularyAndATooSmallEmbedding() {
        TransformerConfig config = OpenAiFixtureTest.config();
        assertThrows(IllegalArgumentException.class,
                () -> Tokenizer.of(config, new Vocabulary(List.of(Vocabulary.UNKNOWN, "cat"))));
        TransformerConfig small = new TransformerConfig(config.embedDim(), config.quickGelu(), config.vision(),
                new TransformerConfig.Text(77, 49407, 128, 2, 2, 4.0), TransformerConfig.CLIP_BPE,
                config.preprocess());
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizer.of(small, null));
        assertEquals("model config: text_cfg.vocab_size 49407 is smaller than the tokenizer's 49408 token ids", e.getMessage());
    }

    @Test
    void everyRowEndsWithEndOfTextBeforeItsPadding() {
        Tokenizer tokenizer = Tokenizer.of(OpenAiFixtureTest.config(), null);
        int[] row = tokenizer.encode("word ".repeat(200), "long");
        assertEquals(49407, row[row.length - 1]);
        int[] shortRow = tokenizer.encode("two words", "short");
        int end = Arrays.stream(shortRow).boxed().toList().indexOf(49407);
        assertTrue(end > 0 && Arrays.stream(shortRow, end + 1, shortRow.length).allMatch(id -> id == 0));
    }
}
