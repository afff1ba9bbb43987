package dev.clipengine.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ids from OpenAI's {@code SimpleTokenizer} where a caption's are given. */
class ClipBpeTest {

    private static final ClipBpe OPENAI = ClipBpe.openAi();

    @Test
    void theBundledVocabularyIsOpenAis() {
        assertEquals(49406, OPENAI.startOfText());
        assertEquals(49407, OPENAI.endOfText());
        assertEquals(49408, OPENAI.vocabularySize());
        assertSame(OPENAI, ClipBpe.openAi(), "read once and shared");
    }

    @Test
    void framesTheIdsOfACaption() {
        assertArrayEquals(new int[] {49406, 3306, 1002, 49407}, OPENAI.encode("hello world"));
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, OPENAI.encode("A Photo of a CAT"));
        assertArrayEquals(new int[] {49406, 49407}, OPENAI.encode(""));
        assertArrayEquals(new int[] {49406, 49407}, OPENAI.encode(" \t\n"));
    }

    @Test
    void mergesByRankNotLeftToRight() {
        // "aaaa" + "aaaa</w>": the pairs are merged by rank over the whole word
        assertArrayEquals(new int[] {6727, 19336}, merged("aaaaaaaa"));
        assertArrayEquals(new int[] {12098}, merged("lowest"));
        assertArrayEquals(new int[] {15759}, merged("photographs"));
    }

    @Test
    void padsShortRowsAndCutsLongOnesEndingInEndOfText() {
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407, 0, 0, 0},
                OPENAI.encode("a photo of a cat", 10));
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, OPENAI.encode("a photo of a cat", 7));
        assertArrayEquals(new int[] {49406, 320, 1125, 49407}, OPENAI.encode("a photo of a cat", 4));
        assertArrayEquals(new int[] {49407}, OPENAI.encode("a photo of a cat", 1));
        assertEquals(ClipBpe.CONTEXT_LENGTH, OPENAI.encode("a cat", ClipBpe.CONTEXT_LENGTH).length);
        assertThrows(IllegalArgumentException.class, () -> OPENAI.encode("a cat", 0));
    }

    @Test
    void theCacheStaysBoundedAndNeverChangesAnAnswer() {
        ClipBpe bpe = fresh();
        List<String> words = randomWords(ClipBpe.CACHE_LIMIT + 5000, 1);
        List<int[]> first = new ArrayList<>();
        for (String word : words) {
            first.add(bpe.encode(word));
            assertTrue(bpe.cachedPieces() <= ClipBpe.CACHE_LIMIT);
        }
        for (int i = 0; i < words.size(); i++) {
            assertArrayEquals(first.get(i), bpe.encode(words.get(i)), words.get(i));
        }
        assertTrue(bpe.cachedPieces() > 0);
    }

    @Test
    void threadsSharingOneTokenizerGetWhatOneThreadGets() throws Exception {
        List<String> captions = new ArrayList<>();
        List<String> words = randomWords(30_000, 2);
        for (int i = 0; i + 6 <= words.size(); i += 6) {
            captions.add(String.join(" ", words.subList(i, i + 6)));
        }
        ClipBpe alone = fresh();
        List<int[]> expected = captions.stream().map(alone::encode).toList();
        ClipBpe shared = fresh();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * captions.size() / 4;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < captions.size(); i++) {
                        int c = (i + offset) % captions.size();
                        assertArrayEquals(expected.get(c), shared.encode(captions.get(c)), captions.get(c));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] merged(String piece) {
        return OPENAI.bytePairEncode(piece.getBytes(StandardCharsets.UTF_8));
    }

    /** A tokenizer with an empty cache of its own. */
    private static ClipBpe fresh() {
        Path hf = OpenAiTokenizerFixtureTest.FIXTURE.resolve("hf");
        return ClipBpe.fromHuggingFace(hf.resolve("vocab.json"), hf.resolve("merges.txt"));
    }

    /** Distinct letter strings, so that each is one piece of its own. */
    private static List<String> randomWords(int count, long seed) {
        Random random = new Random(seed);
        List<String> words = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (words.size() < count) {
            StringBuilder word = new StringBuilder();
            for (int i = 3 + random.nextInt(8); i > 0; i--) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            if (seen.add(word.toString())) {
                words.add(word.toString());
            }
        }
        return words;
    }
}
