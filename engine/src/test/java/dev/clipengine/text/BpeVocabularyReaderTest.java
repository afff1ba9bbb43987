package dev.clipengine.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import dev.clipengine.Fifo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every broken Hugging Face vocabulary is refused in one line that names the file and the fault. */
class BpeVocabularyReaderTest {

    private static final Path HF = OpenAiTokenizerFixtureTest.FIXTURE.resolve("hf");

    private static String goodVocab;
    private static String goodMerges;

    @TempDir
    Path folder;

    @BeforeAll
    static void readGoodFiles() throws IOException {
        goodVocab = Files.readString(HF.resolve("vocab.json"));
        goodMerges = Files.readString(HF.resolve("merges.txt"));
    }

    @Test
    void readsAGoodPairWithWindowsLineEndingsAndNoVersionLine() throws IOException {
        String merges = goodMerges.substring(goodMerges.indexOf('\n') + 1).replace("\n", "\r\n");
        ClipBpe bpe = ClipBpe.fromHuggingFace(write("vocab.json", goodVocab), write("merges.txt", merges));
        assertArrayEquals(ClipBpe.openAi().encode("a Photo of 2 cats!"), bpe.encode("a Photo of 2 cats!"));
    }

    @Test
    void refusesMissingFoldersAndEmptyFiles() throws IOException {
        Path merges = write("merges.txt", goodMerges);
        assertRefused(folder.resolve("absent.json"), "no such file", folder.resolve("absent.json"), merges);
        assertRefused(folder, "a folder, not a file", folder, merges);
        Path empty = write("empty.json", "");
        assertRefused(empty, "empty", empty, merges);
        Path vocab = write("vocab.json", goodVocab);
        Path emptyMerges = write("empty.txt", "");
        assertRefused(emptyMerges, "empty", vocab, emptyMerges);
    }

    @Test
    void refusesAVocabularyThatIsNotAnObjectOfDistinctIds() throws IOException {
        Path merges = write("merges.txt", goodMerges);
        String[][] cases = {
            {"[1, 2]", "not a JSON object of token ids"},
            {"\"a\"", "not a JSON object of token ids"},
            {"{}", "holds no tokens"},
            {"{\"a\": \"1\"}", "the id of \"a\" is not a whole number from 0 to 2147483646"},
            {"{\"a\": 1.5}", "the id of \"a\" is not a whole number"},
            {"{\"a\": -1}", "the id of \"a\" is not a whole number"},
            {"{\"a\": 3000000000}", "the id of \"a\" is not a whole number"},
            {"{\"a\": {\"b\": 1}}", "the id of \"a\" is not a whole number"},
            {"{\"a\\n\": null}", "the id of \"a\\u000a\" is not a whole number"},
            {"{\"a\": 1, \"b\": 1}", "\"a\" and \"b\" both have id 1"},
            {"{\"a\": 1, \"a\": 2}", "not valid JSON: Duplicate field 'a'"},
            {"{\"a\": 1,", "not valid JSON"},
            {"{\"a\": 1} {}", "more after the JSON object's end"},
            {"\u00ff\u00fe{", "not valid JSON"},
        };
        for (String[] c : cases) {
            Path vocab = write("vocab.json", c[0]);
            assertRefused(vocab, c[1], vocab, merges);
        }
    }

    @Test
    void refusesAVocabularyWithoutTheSymbolsEveryCaptionNeeds() throws IOException {
        Path merges = write("merges.txt", goodMerges);
        for (String[] c : new String[][] {
            {"<|startoftext|>", "lacks \"<|startoftext|>\", the start-of-text token"},
            {"<|endoftext|>", "lacks \"<|endoftext|>\", the end-of-text token"},
            {"\u0100", "lacks \"\u0100\", the symbol of byte 0"},
            {"\u00e9</w>", "lacks \"\u00e9</w>\", the end-of-word symbol of byte 233"},
        }) {
            ObjectNode vocab = (ObjectNode) new ObjectMapper().readTree(goodVocab);
            vocab.remove(c[0]);
            Path file = write("vocab.json", vocab.toString());
            assertRefused(file, c[1], file, merges);
        }
    }

    @Test
    void refusesMergesThatAreNotPairsOfTheVocabularysSymbols() throws IOException {
        Path vocab = write("vocab.json", goodVocab);
        String[][] cases = {
            {"#version: 0.2\n", "holds no merges"},
            {"#version: 0.2\ni n\nt\n", "line 3 is not two symbols separated by one space: \"t\""},
            {"#version: 0.2\ni  n\n", "line 2 is not two symbols separated by one space"},
            {"#version: 0.2\ni n x\n", "line 2 is not two symbols separated by one space"},
            {"#version: 0.2\n\ni n\n", "line 2 is not two symbols separated by one space: \"\""},
            {"i n\n t\n", "line 2 is not two symbols separated by one space"},
            {"#version: 0.2\nthe</w> the</w>\n",
                "lacks \"the</w>the</w>\", the merge on line 2 of " + folder.resolve("merges.txt")},
            {"#version: 0.2\nzz\u00e9 n\n", "lacks \"zz\u00e9\", the first symbol of line 2 of"},
        };
        for (String[] c : cases) {
            Path merges = write("merges.txt", c[0]);
            assertRefused(c[1].startsWith("lacks") ? vocab : merges, c[1], vocab, merges);
        }
        Path latin1 = folder.resolve("latin1.txt");
        Files.write(latin1, "#version: 0.2\ni n\n\u00e9 t\n".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(latin1, "not UTF-8 text", vocab, latin1);
    }

    @Test
    void refusesFilesLargerThanTheBoundBeforeReadingThem() throws IOException {
        Path huge = folder.resolve("huge.json");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(BpeVocabularyReader.MAX_FILE_BYTES + 1);
        }
        assertRefused(huge, "larger than the 52428800 bytes a vocabulary file may have", huge,
                write("merges.txt", goodMerges));
    }

    @Test
    void refusesAFifoWithoutWaitingForAWriter() throws Exception {
        Path fifo = Fifo.make(folder.resolve("vocab.fifo"));
        Path merges = write("merges.txt", goodMerges);
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertRefused(fifo, "not a regular file", fifo, merges));
    }

    private void assertRefused(Path named, String reason, Path vocab, Path merges) {
        BadInputException e = assertThrows(BadInputException.class, () -> ClipBpe.fromHuggingFace(vocab, merges));
        String message = e.getMessage();
        assertTrue(message.startsWith(named + ": "), message);
        assertTrue(message.contains(reason), "expected \"" + reason + "\" in: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertEquals(List.of(message), message.lines().toList());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(folder.resolve(name), content);
    }
}
