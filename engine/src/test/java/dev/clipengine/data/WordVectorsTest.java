package dev.clipengine.data;

import dev.clipengine.AllocatedBytes;
import dev.clipengine.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordVectorsTest {

    @TempDir
    Path folder;

    private static final List<String> WORDS = List.of("the", "cat", "sat");
    private static final float[] VECTORS = {0.5f, -1.25f, 3f, 0.125f, 1e-3f, -2.5e4f, 7f, 0f, -0.75f};

    private Path text(String name, String content) {
        return IdxFiles.write(folder.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    /** word2vec's binary layout; {@code newlines} as word2vec's own tool writes it, else as some others do. */
    private static byte[] binary(List<String> words, int dim, float[] values, boolean newlines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((words.size() + " " + dim + "\n").getBytes(StandardCharsets.UTF_8));
        for (int k = 0; k < words.size(); k++) {
            out.writeBytes((words.get(k) + " ").getBytes(StandardCharsets.UTF_8));
            ByteBuffer vector = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            for (int v = 0; v < dim; v++) {
                vector.putFloat(values[k * dim + v]);
            }
            out.writeBytes(vector.array());
            if (newlines) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    private static void assertVectors(WordVectors read, WordVectors.Format format) {
        assertEquals(format, read.format());
        assertEquals(WORDS, read.words());
        assertEquals(3, read.dim());
        assertArrayEquals(VECTORS, read.vectors());
    }

    @Test
    void readsWord2vecText() {
        Path file = text("vectors.txt", "3 3\nthe 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75\n");
        assertVectors(WordVectors.read(file), WordVectors.Format.WORD2VEC_TEXT);
    }

    @Test
    void readsWord2vecTextWithTrailingSpacesAndCrLf() {
        // fastText's .vec files end each line with a space
        Path file = text("vectors.vec", "3 3\r\nthe 0.5 -1.25 3 \r\ncat 0.125 0.001 -2.5e4 \r\nsat 7 0 -0.75 \r\n");
        assertVectors(WordVectors.read(file), WordVectors.Format.WORD2VEC_TEXT);
    }

    @Test
    void readsWord2vecBinaryWithAndWithoutNewlines() {
        for (boolean newlines : new boolean[] {true, false}) {
            Path file = IdxFiles.write(folder.resolve("vectors" + newlines + ".bin"), binary(WORDS, 3, VECTORS, newlines));
            assertVectors(WordVectors.read(file), WordVectors.Format.WORD2VEC_BINARY);
        }
    }

    @Test
    void readsABinaryVectorOfZeros() {
        float[] zeros = new float[9];
        Path file = IdxFiles.write(folder.resolve("zeros.bin"), binary(WORDS, 3, zeros, true));
        WordVectors read = WordVectors.read(file);
        assertEquals(WordVectors.Format.WORD2VEC_BINARY, read.format());
        assertArrayEquals(zeros, read.vectors());
    }

    @Test
    void readsGlove() {
        Path file = text("glove.txt", "the 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75\n");
        assertVectors(WordVectors.read(file), WordVectors.Format.GLOVE_TEXT);
    }

    @Test
    void readsGzipCompressedFiles() {
        Path text = IdxFiles.write(folder.resolve("glove.txt.gz"), IdxFiles.gzip(
                "the 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75".getBytes(StandardCharsets.UTF_8)));
        assertVectors(WordVectors.read(text), WordVectors.Format.GLOVE_TEXT);
        Path bin = IdxFiles.write(folder.resolve("vectors.bin.gz"), IdxFiles.gzip(binary(WORDS, 3, VECTORS, true)));
        assertVectors(WordVectors.read(bin), WordVectors.Format.WORD2VEC_BINARY);
    }

    @Test
    void readsOnlyTheFirstEntriesWhenLimited() {
        Path text = text("vectors.txt", "3 3\nthe 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat oops\n");
        WordVectors two = WordVectors.read(text, 2); // the malformed third line is never read
        assertEquals(List.of("the", "cat"), two.words());
        assertArrayEquals(Arrays.copyOf(VECTORS, 6), two.vectors());

        Path bin = IdxFiles.write(folder.resolve("vectors.bin"), binary(WORDS, 3, VECTORS, true));
        assertEquals(List.of("the"), WordVectors.read(bin, 1).words());
        Path glove = text("glove.txt", "the 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75\n");
        assertEquals(List.of("the", "cat"), WordVectors.read(glove, 2).words());
        assertEquals(List.of("the", "cat"), WordVectors.read(glove).first(2).words());
    }

    @Test
    void namesTheLineOfAMalformedNumber() {
        Path file = text("vectors.txt", "3 3\nthe 0.5 -1.25 3\ncat 0.125 zero -2.5e4\nsat 7 0 -0.75\n");
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage();
        assertEquals(file + ": line 3: value 2, \"zero\", is not a number", message);

        Path glove = text("glove.txt", "the 0.5 -1.25 3\ncat 0.125 NaN -2.5e4\n");
        message = assertThrows(BadInputException.class, () -> WordVectors.read(glove)).getMessage();
        assertEquals(glove + ": line 2: value 2 is NaN", message);
    }

    @Test
    void namesTheLineOfAWrongDimension() {
        Path file = text("vectors.txt", "3 3\nthe 0.5 -1.25 3\ncat 0.125 -2.5e4\nsat 7 0 -0.75\n");
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage();
        assertEquals(file + ": line 3: expected a word and 3 values, found 2 values", message);

        Path glove = text("glove.txt", "the 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75 1\n");
        message = assertThrows(BadInputException.class, () -> WordVectors.read(glove)).getMessage();
        assertEquals(glove + ": line 3: expected a word and 3 values, found 4 values (the first line has 3)", message);
    }

    @Test
    void holdsTheHeaderToItsCount() {
        Path fewer = text("fewer.txt", "4 3\nthe 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75\n");
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(fewer)).getMessage();
        assertEquals(fewer + ": truncated: the first line promises 4 entries, the file ends after 3", message);

        Path more = text("more.txt", "2 3\nthe 0.5 -1.25 3\ncat 0.125 0.001 -2.5e4\nsat 7 0 -0.75\n");
        message = assertThrows(BadInputException.class, () -> WordVectors.read(more)).getMessage();
        assertEquals(more + ": line 4: more entries than the 2 the first line promises", message);
    }

    @Test
    void refusesAHeaderTheFileCannotHold() {
        Path file = text("lie.txt", "1000000000 300\nthe 0.5 -1.25 3\n");
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage();
        assertTrue(message.startsWith(file + ": line 1: the header claims 1000000000 vectors of dimension 300"),
                message);
        Path wide = text("wide.txt", "1 1000000000\nthe 0.5\n");
        message = assertThrows(BadInputException.class, () -> WordVectors.read(wide)).getMessage();
        assertTrue(message.contains("line 1: a vector dimension of 1000000000"), message);
    }

    @Test
    void allocatesForTheEntriesThatArriveNotForTheHeader() {
        // a gzip file can claim 1100 times its size: these claim a million 300-value vectors (1.2 GB)
        // and hold one
        StringBuilder text = new StringBuilder("1000000 300\nthe");
        float[] values = new float[300];
        for (int v = 0; v < 300; v++) {
            values[v] = 0.25f * v;
            text.append(' ').append(values[v]);
        }
        Path textFile = IdxFiles.write(folder.resolve("lie.txt.gz"),
                IdxFiles.gzip(text.append('\n').toString().getBytes(StandardCharsets.UTF_8), 600_000));
        AllocatedBytes.Measured read = AllocatedBytes.of(() -> WordVectors.read(textFile));
        assertEquals(textFile + ": truncated: the first line promises 1000000 entries, the file ends after 1",
                read.thrown().getMessage());
        assertTrue(read.bytes() < 2_000_000, read.bytes() + " bytes allocated");

        byte[] one = binary(List.of("the"), 300, values, true); // "1 300\n" then the entry
        ByteArrayOutputStream lie = new ByteArrayOutputStream();
        lie.writeBytes("1000000".getBytes(StandardCharsets.UTF_8));
        lie.write(one, 1, one.length - 1);
        Path binFile = IdxFiles.write(folder.resolve("lie.bin.gz"), IdxFiles.gzip(lie.toByteArray(), 600_000));
        read = AllocatedBytes.of(() -> WordVectors.read(binFile));
        assertEquals(binFile + ": truncated: the header promises 1000000 entries, the file ends in entry 2",
                read.thrown().getMessage());
        assertTrue(read.bytes() < 2_000_000, read.bytes() + " bytes allocated");
    }

    @Test
    void readsTheTokenizersWordsUpToTheLimitAndNoFurther() {
        Path file = text("vectors.txt", "6 2\nThe 1.25 -0.5\nthe 2.25 -0.5\nNew_York 3.25 -0.5\ncat 4.25 -0.5\n"
                + "sat 5.25 -0.5\nmat oops\n");
        WordVectors two = WordVectors.readForTokenizer(file, 2); // the malformed last line is never read
        assertEquals(WordVectors.Format.WORD2VEC_TEXT, two.format());
        assertEquals(List.of("the", "cat"), two.words());
        assertArrayEquals(new float[] {1.25f, -0.5f, 4.25f, -0.5f}, two.vectors());
        assertEquals(List.of("the", "cat", "sat"), WordVectors.readForTokenizer(file, 3).words());

        Path bin = IdxFiles.write(folder.resolve("vectors.bin"), binary(List.of("The", "the", "x-ray", "cat", "sat"),
                1, new float[] {1, 2, 3, 4, 5}, true));
        WordVectors kept = WordVectors.readForTokenizer(bin, 0);
        assertEquals(WordVectors.Format.WORD2VEC_BINARY, kept.format());
        assertEquals(List.of("the", "cat", "sat"), kept.words());
        assertArrayEquals(new float[] {1, 4, 5}, kept.vectors());
        WordVectors filtered = WordVectors.read(bin).forTokenizer();
        assertEquals(filtered.words(), kept.words());
        assertArrayEquals(filtered.vectors(), kept.vectors());

        Path none = text("none.txt", "x-ray 1\nNew_York 2\n");
        assertEquals(none + ": no word made of the letters a-z and digits 0-9",
                assertThrows(BadInputException.class, () -> WordVectors.readForTokenizer(none, 0)).getMessage());
    }

    @Test
    void refusesToHoldMoreThanTheLargestVocabulary() {
        int entries = WordVectors.MAX_WORDS + 1;
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes((entries + " 1\n").getBytes(StandardCharsets.UTF_8));
        byte[] entry = {'a', ' ', 0, 0, (byte) 0x80, 0x3F, '\n'}; // "a", 1.0f
        for (int i = 0; i < entries; i++) {
            content.write(entry, 0, entry.length);
        }
        Path file = IdxFiles.write(folder.resolve("many.bin.gz"), IdxFiles.gzip(content.toByteArray()));
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage();
        assertEquals(file + ": entry 4194305: more than 4194304 words to hold at once; read fewer (a vocabulary size)",
                message);
        assertEquals(10, WordVectors.read(file, 10).count());
    }

    @Test
    void reportsATruncatedBinaryFile() {
        byte[] whole = binary(WORDS, 3, VECTORS, true);
        Path file = IdxFiles.write(folder.resolve("cut.bin"), Arrays.copyOf(whole, whole.length - 6));
        String message = assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage();
        assertEquals(file + ": truncated: entry 3 has 7 of its 12 vector bytes", message);
    }

    @Test
    void keepsTheWordsTheTokenizerMakes() {
        Path file = text("cased.txt", "The 1\nthe 2\nNew_York 3\ncat 4\nCat 5\ncafé 6\n, 7\n");
        WordVectors kept = WordVectors.read(file).forTokenizer();
        assertEquals(List.of("the", "cat"), kept.words());
        assertArrayEquals(new float[] {1, 4}, kept.vectors());
    }

    @Test
    void refusesAnEmptyFile() {
        Path file = text("empty.txt", "");
        assertEquals(file + ": the file is empty",
                assertThrows(BadInputException.class, () -> WordVectors.read(file)).getMessage());
    }
}
