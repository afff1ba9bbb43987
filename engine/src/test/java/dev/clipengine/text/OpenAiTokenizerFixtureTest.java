package dev.clipengine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The twelve captions of {@code fixtures/openai-clip-small} (accents, CJK, emoji, punctuation,
 * numbers, entities, special-token text, white space, an over-long caption, an empty one) against
 * the ids OpenAI's {@code SimpleTokenizer} gave them, with the bundled vocabulary and with the
 * fixture's Hugging Face files.
 */
class OpenAiTokenizerFixtureTest {

    static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small");
    private static final int CONTEXT = 77;

    private static String[] captions;
    /** Unpadded, the long caption cut to 77 with end-of-text last. */
    private static int[][] ids;
    /** {@code tokens} of expected.safetensors: [12, 77] I64, zero-padded. */
    private static long[][] paddedRows;

    @BeforeAll
    static void readFixture() throws IOException {
        JsonNode inputs = new ObjectMapper().readTree(Files.readString(FIXTURE.resolve("inputs.json")));
        int count = inputs.get("captions").size();
        captions = new String[count];
        ids = new int[count][];
        for (int i = 0; i < count; i++) {
            captions[i] = inputs.get("captions").get(i).asText();
            JsonNode row = inputs.get("tokens").get(i);
            ids[i] = new int[row.size()];
            for (int t = 0; t < row.size(); t++) {
                ids[i][t] = row.get(t).intValue();
            }
        }
        paddedRows = readI64(FIXTURE.resolve("expected.safetensors"), "tokens", count, CONTEXT);
    }

    static Stream<Named<ClipBpe>> vocabularies() {
        return Stream.of(Named.of("bundled OpenAI vocabulary", ClipBpe.openAi()),
                Named.of("Hugging Face vocab.json and merges.txt", ClipBpe.fromHuggingFace(
                        FIXTURE.resolve("hf").resolve("vocab.json"), FIXTURE.resolve("hf").resolve("merges.txt"))));
    }

    @ParameterizedTest
    @MethodSource("vocabularies")
    void everyCaptionGetsOpenAisIds(ClipBpe bpe) {
        assertEquals(12, captions.length);
        for (int i = 0; i < captions.length; i++) {
            int[] encoded = bpe.encode(captions[i]);
            int[] expected = ids[i];
            if (expected.length == CONTEXT && encoded.length > CONTEXT) {
                // the fixture keeps only what fits: compare what it has, then the cut below
                encoded = Arrays.copyOf(encoded, CONTEXT);
                encoded[CONTEXT - 1] = bpe.endOfText();
            }
            assertArrayEquals(expected, encoded, "caption " + i + ": " + captions[i]);
        }
    }

    @ParameterizedTest
    @MethodSource("vocabularies")
    void paddedRowsEqualTheFixturesTokenTensor(ClipBpe bpe) {
        int truncated = 0;
        for (int i = 0; i < captions.length; i++) {
            int[] row = bpe.encode(captions[i], CONTEXT);
            long[] expected = paddedRows[i];
            assertArrayEquals(expected, Arrays.stream(row).asLongStream().toArray(), "caption " + i);
            truncated += bpe.encode(captions[i]).length > CONTEXT ? 1 : 0;
        }
        assertEquals(1, truncated, "the fixture has one caption longer than the context");
    }

    /** A tensor of 64-bit integers, which the engine's reader skips (they are never weights). */
    static long[][] readI64(Path file, String name, int rows, int columns) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong(0);
        JsonNode entry = new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8))
                .get(name);
        assertEquals("I64", entry.get("dtype").asText());
        assertEquals(rows, entry.get("shape").get(0).intValue());
        assertEquals(columns, entry.get("shape").get(1).intValue());
        long begin = 8L + headerLength + entry.get("data_offsets").get(0).longValue();
        long[][] values = new long[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                values[r][c] = buffer.getLong((int) (begin + 8L * (r * columns + c)));
            }
        }
        return values;
    }
}
