package dev.clipengine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fixtures/clip-bpe-cases}: hand-picked hard captions and random ones, with the ids of
 * OpenAI's own {@code SimpleTokenizer} run with ftfy as the identity
 * ({@code tools/clip-text/make_reference_cases.py}). So every case checks what follows ftfy, and
 * those that ftfy's steps leave alone check the whole of {@link ClipBpe#encode(String)}.
 */
class ReferenceCasesTest {

    private record Case(String text, int[] ids) {}

    private static final List<Case> CASES = new ArrayList<>();

    @BeforeAll
    static void readCases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(
                Files.readString(Path.of("..", "fixtures", "clip-bpe-cases", "cases.json")));
        for (JsonNode c : root.get("cases")) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).intValue();
            }
            CASES.add(new Case(c.get("text").asText(), ids));
        }
    }

    @Test
    void everyCaseAfterFtfyGetsOpenAisIds() {
        ClipBpe bpe = ClipBpe.openAi();
        assertTrue(CASES.size() >= 400, "cases read: " + CASES.size());
        for (Case c : CASES) {
            ClipBpe.IdList ids = new ClipBpe.IdList();
            ids.add(bpe.startOfText());
            bpe.appendPieces(ClipTextCleaner.afterTextFixes(c.text()), ids);
            ids.add(bpe.endOfText());
            assertArrayEquals(c.ids(), ids.toArray(), () -> "case " + escaped(c.text()));
        }
    }

    @Test
    void casesFtfyLeavesAloneEncodeWhole() {
        ClipBpe bpe = ClipBpe.openAi();
        int whole = 0;
        for (Case c : CASES) {
            if (TextFixes.fixText(c.text()).equals(c.text())) {
                assertArrayEquals(c.ids(), bpe.encode(c.text()), () -> "case " + escaped(c.text()));
                whole++;
            }
        }
        assertTrue(whole >= 200, "only " + whole + " cases are left alone by ftfy's steps");
    }

    @Test
    void theHuggingFaceFilesGiveTheSameIds() {
        Path hf = OpenAiTokenizerFixtureTest.FIXTURE.resolve("hf");
        ClipBpe bpe = ClipBpe.fromHuggingFace(hf.resolve("vocab.json"), hf.resolve("merges.txt"));
        for (Case c : CASES) {
            assertArrayEquals(ClipBpe.openAi().encode(c.text()), bpe.encode(c.text()),
                    () -> "case " + escaped(c.text()));
        }
        assertEquals(ClipBpe.openAi().vocabularySize(), bpe.vocabularySize());
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(
                c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u{%x}", c) : Character.toString(c)));
        return out.toString();
    }
}
