package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.Fifo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsvDatasetTest {

    @TempDir
    Path folder;

    /** Images named by their grey value, in a sub-folder, so relative paths have a folder part. */
    @BeforeEach
    void writeImages() throws IOException {
        Files.createDirectories(folder.resolve("img"));
        for (int value : new int[] {10, 20, 30, 40}) {
            BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            for (int i = 0; i < 16; i++) {
                image.getRaster().setSample(i % 4, i / 4, 0, value);
            }
            ImageIO.write(image, "png", folder.resolve("img/" + value + ".png").toFile());
        }
    }

    private Path tsv(String... lines) throws IOException {
        Path file = folder.resolve("pairs.tsv");
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** The message of the BadInputException that loading the file throws. */
    private static String failure(Path tsv) {
        return assertThrows(BadInputException.class, () -> TsvDataset.load(tsv, 4, 1, Resampling.BILINEAR, 0)).getMessage();
    }

    private static void assertGrey(int value, Example example) {
        byte[] expected = new byte[16];
        java.util.Arrays.fill(expected, (byte) value);
        assertArrayEquals(expected, example.pixels());
    }

    @Test
    void readsRelativeAndAbsolutePathsInAnyColumnOrder() throws IOException {
        Path absolute = folder.resolve("img/30.png").toAbsolutePath();
        Path file = folder.resolve("pairs.tsv");
        Files.writeString(file, "id\ttitle\tfilepath\r\n"
                + "1\ta dark square\timg/10.png\r\n"
                + "\r\n"
                + "2\t\"a \"\"quoted\"\" caption\"\timg/20.png\r\n"
                + "3\tun carré très clair\t" + absolute + "\r\n", StandardCharsets.UTF_8);

        PairDataset data = TsvDataset.load(file, 4, 1, Resampling.BILINEAR, 0);
        assertEquals("pairs.tsv", data.name());
        assertEquals(List.of(), data.heldOut());
        assertEquals(List.of(), data.classNames());
        assertEquals(List.of("a dark square", "a \"quoted\" caption", "un carré très clair"),
                data.train().stream().map(Example::caption).toList());
        assertGrey(10, data.train().get(0));
        assertGrey(20, data.train().get(1));
        assertGrey(30, data.train().get(2));
        for (Example example : data.train()) {
            assertEquals(-1, example.label());
            assertEquals(1, example.channels());
            assertEquals(4, example.size());
        }
    }

    @Test
    void validationSplitTakesTheLastRows() throws IOException {
        Path file = tsv("filepath\ttitle", "img/10.png\tone", "img/20.png\ttwo", "img/30.png\tthree",
                "img/40.png\tfour");
        PairDataset data = TsvDataset.load(file, 4, 3, Resampling.BILINEAR, 0.25);
        assertEquals(List.of("one", "two", "three"), data.train().stream().map(Example::caption).toList());
        assertEquals(List.of("four"), data.heldOut().stream().map(Example::caption).toList());
        assertEquals(4, TsvDataset.readPairs(file, 4, 3, Resampling.BILINEAR).size());
    }

    @Test
    void heldOutCountRoundsAndKeepsBothSidesNonEmpty() {
        assertEquals(0, TsvDataset.heldOutCount(10, 0));
        assertEquals(3, TsvDataset.heldOutCount(10, 0.25));
        assertEquals(1, TsvDataset.heldOutCount(10, 0.01));
        assertEquals(9, TsvDataset.heldOutCount(10, 0.99));
        assertEquals(0, TsvDataset.heldOutCount(1, 0.5));
        assertEquals(1, TsvDataset.heldOutCount(2, 0.1));
    }

    @Test
    void missingFile() {
        Path file = folder.resolve("absent.tsv");
        assertEquals(file + ": no such file", failure(file));
    }

    @Test
    void emptyFileAndHeaderWithoutRows() throws IOException {
        Path file = folder.resolve("pairs.tsv");
        Files.writeString(file, "");
        assertTrue(failure(file).startsWith(file + ": the file is empty"), failure(file));
        tsv("filepath\ttitle");
        assertTrue(failure(file).startsWith(file + ": no rows after the header"), failure(file));
    }

    @Test
    void missingColumnsAreNamed() throws IOException {
        Path file = tsv("path\tcaption", "img/10.png\tone");
        assertEquals(file + ", line 1: the header has no column filepath or title (it has: path, caption); "
                + "the columns are tab-separated", failure(file));
        tsv("filepath,title", "img/10.png,one");
        assertTrue(failure(file).contains("no column filepath or title"), failure(file));
        tsv("filepath\tname", "img/10.png\tone");
        assertTrue(failure(file).contains("no column title (it has: filepath, name)"), failure(file));
    }

    @Test
    void rowWithTooFewOrTooManyFields() throws IOException {
        Path file = tsv("filepath\ttitle", "img/10.png\tone", "img/20.png");
        assertEquals(file + ", line 3: expected 2 tab-separated fields as in the header, found 1", failure(file));
        tsv("filepath\ttitle", "img/10.png\tone\textra");
        assertEquals(file + ", line 2: expected 2 tab-separated fields as in the header, found 3", failure(file));
    }

    @Test
    void captionWithoutWords() throws IOException {
        Path file = tsv("filepath\ttitle", "img/10.png\tone", "img/20.png\ttwo", "img/30.png\t  ");
        assertEquals(file + ", line 4: the caption is empty", failure(file));
        tsv("filepath\ttitle", "img/10.png\t?! -- ...");
        assertEquals(file + ", line 2: the caption \"?! -- ...\" has no word (only letters a-z and digits 0-9 "
                + "make words)", failure(file));
    }

    @Test
    void emptyImagePath() throws IOException {
        Path file = tsv("filepath\ttitle", "\tone");
        assertEquals(file + ", line 2: the filepath is empty", failure(file));
    }

    @Test
    void missingOrUnreadableImageNamesTheFirstBadLine() throws IOException {
        Files.writeString(folder.resolve("img/text.png"), "not an image");
        Path file = tsv("filepath\ttitle", "img/10.png\tone", "img/absent.png\ttwo", "img/text.png\tthree");
        assertEquals(file + ", line 3: image " + folder.toAbsolutePath().resolve("img/absent.png")
                + ": no such file", failure(file));
        tsv("filepath\ttitle", "img/10.png\tone", "img/text.png\tthree");
        assertEquals(file + ", line 3: image " + folder.toAbsolutePath().resolve("img/text.png")
                + ": not a PNG or JPEG image", failure(file));
    }

    @Test
    void aFifoOrADeviceIsRefusedNotWaitedOn() throws Exception {
        Path fifo = Fifo.make(folder.resolve("img/pipe.png"));
        Path file = tsv("filepath\ttitle", "img/10.png\tone", "img/pipe.png\ttwo");
        // opening a FIFO waits for a writer, here forever
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(file + ", line 3: image "
                + fifo.toAbsolutePath() + ": not a regular file (a FIFO, socket or device); only regular files are read",
                failure(file)));
        tsv("filepath\ttitle", "/dev/zero\tzero");
        assertEquals(file + ", line 2: image /dev/zero: not a regular file (a FIFO, socket or device); only regular "
                + "files are read", failure(file));
        Path fifoTsv = Fifo.make(folder.resolve("pipe.tsv"));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(fifoTsv + ": not a regular file (a FIFO, "
                + "socket or device); only regular files are read", failure(fifoTsv)));
    }

    @Test
    void invalidUtf8() throws IOException {
        Path file = folder.resolve("pairs.tsv");
        Files.write(file, new byte[] {'f', 'i', 'l', 'e', 'p', 'a', 't', 'h', '\t', 't', 'i', 't', 'l', 'e', '\n',
                'a', '\t', (byte) 0xFF, '\n'});
        assertEquals(file + ", line 2: not valid UTF-8", failure(file));
    }

    @Test
    void validationSplitOutOfRange() throws IOException {
        Path file = tsv("filepath\ttitle", "img/10.png\tone");
        assertThrows(BadInputException.class, () -> TsvDataset.load(file, 4, 1, Resampling.BILINEAR, 1.0));
        assertThrows(BadInputException.class, () -> TsvDataset.load(file, 4, 1, Resampling.BILINEAR, -0.1));
    }
}
