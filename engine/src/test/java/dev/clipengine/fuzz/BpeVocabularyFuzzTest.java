package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.text.ClipBpe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes as a Hugging Face {@code vocab.json} (with a good, small {@code merges.txt}) or as a
 * {@code merges.txt} (with a good, small {@code vocab.json}) either make a tokenizer or are
 * refused in one line, allocating in proportion to the file. Seeds in BpeVocabularyFuzzTestInputs:
 * the small pair itself (512 byte symbols, four merges, the special tokens), and 60 KB of each
 * made of as many entries as fit, the most a reader allocates for a file of that size.
 */
class BpeVocabularyFuzzTest {

    private static final Path VOCAB = FuzzFiles.temporaryFile(".json");
    private static final Path MERGES = FuzzFiles.temporaryFile(".txt");
    private static final Path GOOD_VOCAB = copyOfResource("bpe-vocab.json", ".json");
    private static final Path GOOD_MERGES = copyOfResource("bpe-merges.txt", ".txt");

    @FuzzTest(maxDuration = "12s")
    void vocabJsonReadsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] bytes) throws IOException {
        Files.write(VOCAB, bytes);
        FuzzChecks.readsOrRefusesWithin(bytes.length, "reading vocab.json",
                () -> encodes(ClipBpe.fromHuggingFace(VOCAB, GOOD_MERGES)));
    }

    @FuzzTest(maxDuration = "12s")
    void mergesTxtReadsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] bytes) throws IOException {
        Files.write(MERGES, bytes);
        FuzzChecks.readsOrRefusesWithin(bytes.length, "reading merges.txt",
                () -> encodes(ClipBpe.fromHuggingFace(GOOD_VOCAB, MERGES)));
    }

    /** A tokenizer that was made must encode: every symbol it can meet has an id. */
    private static void encodes(ClipBpe bpe) {
        int[] ids = bpe.encode("the cat in the hat, 2 \u00e9t\u00e9s \ud83d\ude00");
        if (ids[0] != bpe.startOfText() || ids[ids.length - 1] != bpe.endOfText()) {
            throw new AssertionError("ids not framed by start and end of text");
        }
    }

    private static Path copyOfResource(String name, String suffix) {
        Path file = FuzzFiles.temporaryFile(suffix);
        try (InputStream in = BpeVocabularyFuzzTest.class.getResourceAsStream(name)) {
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
