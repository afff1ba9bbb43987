package dev.clipengine.model;

import dev.clipengine.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The word tokenizer of docs/model.md, on examples worked out by hand. */
class VocabularyTest {

    @Test
    void splitsOnEverythingButAsciiLettersAndDigits() {
        assertEquals(List.of("big", "table"), Vocabulary.words("Big table"));
        assertEquals(List.of("a", "red", "circle", "on", "3", "d", "grid"), Vocabulary.words("  A red-circle, on 3-D\tgrid!"));
        // accented letters separate words: "café" is "caf"; "naïve" is "na" and "ve"
        assertEquals(List.of("caf", "na", "ve"), Vocabulary.words("Café naïve"));
        assertEquals(List.of("x2", "y"), Vocabulary.words("X2_y"));
        assertEquals(List.of(), Vocabulary.words(" ,.;! "));
    }

    @Test
    void lowerCasesWithTheRootLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        // in a Turkish locale 'I' lower-cases to a dotless i, which is not a-z and would split the word
        java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr"));
        try {
            assertEquals(List.of("big", "title"), Vocabulary.words("BIG TITLE"));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void mapsUnknownWordsToZeroAndKeepsTheFirstMaxTokens() {
        Vocabulary vocabulary = new Vocabulary(List.of("<unk>", "big", "table", "small"));
        assertArrayEquals(new int[] {1, 2}, vocabulary.encode("big table", 16, "test"));
        assertArrayEquals(new int[] {3, 0, 2}, vocabulary.encode("small round table", 16, "test"));
        assertArrayEquals(new int[] {1, 1}, vocabulary.encode("big big big big", 2, "test"));
    }

    @Test
    void aCaptionWithoutWordsIsBadInputNamingWhere() {
        Vocabulary vocabulary = new Vocabulary(List.of("<unk>", "big"));
        BadInputException e = assertThrows(BadInputException.class, () -> vocabulary.encode("?!", 16, "data.tsv, line 4"));
        assertTrue(e.getMessage().startsWith("data.tsv, line 4: "), e.getMessage());
    }

    @Test
    void buildsFromCaptionsInOrderOfFirstAppearance() {
        Vocabulary vocabulary = Vocabulary.fromCaptions(List.of("big table", "a small TABLE", "big cat"));
        assertEquals(List.of("<unk>", "big", "table", "a", "small", "cat"), vocabulary.words());
    }
}
