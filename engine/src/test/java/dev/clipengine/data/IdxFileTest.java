package dev.clipengine.data;

import dev.clipengine.AllocatedBytes;
import dev.clipengine.BadInputException;
import dev.clipengine.Fifo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFileTest {

    @TempDir
    Path folder;

    private static final byte[] FIRST = {0, 1, 2, 3, 4, 5};
    private static final byte[] SECOND = {(byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255};

    @Test
    void readsRawImages() {
        Path file = IdxFiles.write(folder.resolve("images"), IdxFiles.images(2, 3, FIRST, SECOND));
        IdxFile.Images images = IdxFile.readImages(file);
        assertEquals(2, images.count());
        assertEquals(2, images.rows());
        assertEquals(3, images.columns());
        assertArrayEquals(FIRST, images.pixels()[0]);
        assertArrayEquals(SECOND, images.pixels()[1]);
    }

    @Test
    void readsGzipImagesWhateverTheName() {
        // named without .gz: the content decides
        Path file = IdxFiles.write(folder.resolve("images"), IdxFiles.gzip(IdxFiles.images(2, 3, FIRST, SECOND)));
        IdxFile.Images images = IdxFile.readImages(file);
        assertArrayEquals(FIRST, images.pixels()[0]);
        assertArrayEquals(SECOND, images.pixels()[1]);
    }

    @Test
    void readsLabelsRawAndGzip() {
        byte[] labels = IdxFiles.labels(0, 9, 3, 3);
        assertArrayEquals(new int[] {0, 9, 3, 3}, IdxFile.readLabels(IdxFiles.write(folder.resolve("l"), labels), 10));
        assertArrayEquals(new int[] {0, 9, 3, 3},
                IdxFile.readLabels(IdxFiles.write(folder.resolve("l.gz"), IdxFiles.gzip(labels)), 10));
    }

    @Test
    void readsAnEmptyFile() {
        assertEquals(0, IdxFile.readImages(IdxFiles.write(folder.resolve("none"), IdxFiles.images(28, 28))).count());
    }

    @Test
    void refusesALabelFileWhereImagesBelong() {
        Path file = IdxFiles.write(folder.resolve("labels"), IdxFiles.labels(1, 2));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertTrue(message.startsWith(file + ": not an IDX image file: magic number 0x00000801 (a label file)"),
                message);
        assertTrue(message.contains("expected 0x00000803"), message);
    }

    @Test
    void refusesAnImageFileWhereLabelsBelong() {
        Path file = IdxFiles.write(folder.resolve("images"), IdxFiles.images(2, 3, FIRST));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readLabels(file, 10)).getMessage();
        assertTrue(message.contains("magic number 0x00000803 (an image file), expected 0x00000801"), message);
    }

    @Test
    void refusesAFileThatIsNotIdx() {
        Path file = IdxFiles.write(folder.resolve("page.html"), "<html>not found</html>".getBytes());
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertTrue(message.contains(file + ": not an IDX image file") && message.contains("(not an IDX file)"),
                message);
    }

    @Test
    void refusesAnotherElementType() {
        Path file = IdxFiles.write(folder.resolve("floats"), IdxFiles.header(0x00000D03, 1, 2, 2));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertTrue(message.contains("element type 0x0D"), message);
    }

    @Test
    void reportsATruncatedHeader() {
        byte[] whole = IdxFiles.images(2, 3, FIRST);
        Path file = IdxFiles.write(folder.resolve("short"), Arrays.copyOf(whole, 10));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertEquals(file + ": truncated: the IDX image header needs 16 bytes, the file has only 10", message);

        Path tiny = IdxFiles.write(folder.resolve("tiny"), new byte[] {0, 0});
        message = assertThrows(BadInputException.class, () -> IdxFile.readImages(tiny)).getMessage();
        assertTrue(message.startsWith(tiny + ": truncated: an IDX file starts with a 4-byte magic number"), message);

        Path gz = IdxFiles.write(folder.resolve("short.gz"), IdxFiles.gzip(Arrays.copyOf(whole, 10)));
        message = assertThrows(BadInputException.class, () -> IdxFile.readImages(gz)).getMessage();
        assertTrue(message.contains("the decompressed content has only 10"), message);
    }

    @Test
    void reportsTruncatedRawData() {
        byte[] whole = IdxFiles.images(2, 3, FIRST, SECOND);
        Path file = IdxFiles.write(folder.resolve("cut"), Arrays.copyOf(whole, whole.length - 4));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertEquals(file + ": truncated: the header claims 2 images of 2x3 (12 bytes) but only 8 bytes follow it",
                message);
    }

    @Test
    void reportsTruncatedGzipData() {
        byte[] whole = IdxFiles.images(2, 3, FIRST, SECOND);
        // a complete gzip stream of too little content
        Path shortContent = IdxFiles.write(folder.resolve("a.gz"), IdxFiles.gzip(Arrays.copyOf(whole, 25)));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(shortContent)).getMessage();
        assertEquals(shortContent + ": truncated: the header claims 2 images of 2x3 but the data ends in image 2 "
                + "(9 bytes of the 12 expected)", message);

        // a gzip stream cut short, as an interrupted download leaves it
        byte[] big = IdxFiles.images(28, 28, IdxFiles.filled(28, 28, 7), IdxFiles.filled(28, 28, 9));
        byte[] gz = IdxFiles.gzip(big);
        Path cut = IdxFiles.write(folder.resolve("b.gz"), Arrays.copyOf(gz, gz.length - 12));
        message = assertThrows(BadInputException.class, () -> IdxFile.readImages(cut)).getMessage();
        assertTrue(message.startsWith(cut + ": truncated: the header claims 2 images of 28x28"), message);
    }

    @Test
    void refusesDataAfterTheClaimedImages() {
        byte[] whole = IdxFiles.images(2, 3, FIRST, SECOND);
        Path file = IdxFiles.write(folder.resolve("long"), Arrays.copyOf(whole, whole.length + 3));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertTrue(message.startsWith(file + ": more data after the 2 images"), message);
    }

    @Test
    void refusesAnAbsurdCountBeforeAllocating() {
        byte[] lie = Arrays.copyOf(IdxFiles.header(IdxFile.IMAGES_MAGIC, 4_000_000, 28, 28), 1024);
        Path raw = IdxFiles.write(folder.resolve("lie"), lie);
        Path gz = IdxFiles.write(folder.resolve("lie.gz"), IdxFiles.gzip(lie));
        // 3 GB if believed: refused at once rather than failing for memory
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(raw)).getMessage();
            assertTrue(message.startsWith(raw + ": truncated: the header claims 4000000 images of 28x28"),
                    message);
            message = assertThrows(BadInputException.class, () -> IdxFile.readImages(gz)).getMessage();
            assertTrue(message.startsWith(gz + ": the header claims 4000000 images of 28x28")
                    && message.contains("more than a gzip file of"), message);
        });
        Path labels = IdxFiles.write(folder.resolve("labels-lie"), IdxFiles.header(IdxFile.LABELS_MAGIC, -1));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readLabels(labels, 10)).getMessage();
        assertEquals(labels + ": the header claims 4294967295 labels, more than the 4194304 labels an IDX file of "
                + "this family can hold: damaged or not such a file", message);
        Path images = IdxFiles.write(folder.resolve("images-lie"),
                IdxFiles.header(IdxFile.IMAGES_MAGIC, 600_000_000, 1, 1));
        message = assertThrows(BadInputException.class, () -> IdxFile.readImages(images)).getMessage();
        assertEquals(images + ": the header claims 600000000 images of 1x1, more than the 4194304 images an IDX "
                + "file of this family can hold: damaged or not such a file", message);
    }

    @Test
    void allocatesForTheDataThatArrivesNotForTheClaim() {
        // a gzip file can claim 1100 times its size; these claim 4 million labels and a 16 MB
        // image over a few hundred bytes of data
        byte[] labels = Arrays.copyOf(IdxFiles.header(IdxFile.LABELS_MAGIC, IdxFile.MAX_COUNT - 1), 8 + 300);
        Path labelsFile = IdxFiles.write(folder.resolve("labels.gz"), IdxFiles.gzip(labels, 8 * 1024));
        AllocatedBytes.Measured read = AllocatedBytes.of(() -> IdxFile.readLabels(labelsFile, 10));
        assertEquals(labelsFile + ": truncated: the header claims 4194303 labels but the data ends after 300",
                read.thrown().getMessage());
        assertTrue(read.bytes() < 1_000_000, read.bytes() + " bytes allocated");

        byte[] image = Arrays.copyOf(IdxFiles.header(IdxFile.IMAGES_MAGIC, 1, 4096, 4096), 16 + 300);
        Path imageFile = IdxFiles.write(folder.resolve("image.gz"), IdxFiles.gzip(image, 16 * 1024));
        read = AllocatedBytes.of(() -> IdxFile.readImages(imageFile));
        assertEquals(imageFile + ": truncated: the header claims 1 images of 4096x4096 but the data ends in image 1 "
                + "(300 bytes of the 16777216 expected)", read.thrown().getMessage());
        assertTrue(read.bytes() < 1_000_000, read.bytes() + " bytes allocated");

        byte[] many = Arrays.copyOf(IdxFiles.header(IdxFile.IMAGES_MAGIC, IdxFile.MAX_COUNT, 1, 1), 16 + 300);
        Path manyFile = IdxFiles.write(folder.resolve("many.gz"), IdxFiles.gzip(many, 8 * 1024));
        read = AllocatedBytes.of(() -> IdxFile.readImages(manyFile));
        assertTrue(read.thrown().getMessage().startsWith(manyFile + ": truncated: the header claims 4194304 images "
                + "of 1x1 but the data ends in image 301"), read.thrown().getMessage());
        assertTrue(read.bytes() < 1_000_000, read.bytes() + " bytes allocated");
    }

    @Test
    void readsImagesLargerThanTheFirstBuffer() {
        byte[] first = IdxFiles.filled(200, 300, 7);
        byte[] second = IdxFiles.filled(200, 300, 9);
        IdxFile.Images images = IdxFile.readImages(IdxFiles.write(folder.resolve("big.gz"),
                IdxFiles.gzip(IdxFiles.images(200, 300, first, second))));
        assertArrayEquals(first, images.pixels()[0]);
        assertArrayEquals(second, images.pixels()[1]);
    }

    @Test
    void refusesAFifo() throws Exception {
        Path fifo = Fifo.make(folder.resolve("fifo"));
        // opening a FIFO would wait for a writer that never comes
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            String message = assertThrows(BadInputException.class, () -> IdxFile.readLabels(fifo, 10)).getMessage();
            assertEquals(fifo + ": not a regular file (a FIFO, socket or device); only regular files are read",
                    message);
            message = assertThrows(BadInputException.class, () -> IdxFile.readImages(fifo)).getMessage();
            assertEquals(fifo + ": not a regular file (a FIFO, socket or device); only regular files are read",
                    message);
        });
    }

    @Test
    void refusesAbsurdSides() {
        Path file = IdxFiles.write(folder.resolve("wide"), IdxFiles.header(IdxFile.IMAGES_MAGIC, 1, 28, 100_000));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage();
        assertTrue(message.contains("images of 28x100000 pixels"), message);
    }

    @Test
    void namesALabelOutsideTheClasses() {
        Path file = IdxFiles.write(folder.resolve("labels"), IdxFiles.labels(0, 9, 12, 1));
        String message = assertThrows(BadInputException.class, () -> IdxFile.readLabels(file, 10)).getMessage();
        assertEquals(file + ": label 12 at index 2 (counting from 0) is not one of the 10 classes 0 to 9", message);
    }

    @Test
    void reportsCorruptGzip() {
        byte[] gz = IdxFiles.gzip(IdxFiles.images(2, 3, FIRST, SECOND));
        for (int i = 12; i < gz.length - 8; i++) {
            gz[i] = (byte) 0xFF;
        }
        Path file = IdxFiles.write(folder.resolve("bad.gz"), gz);
        BadInputException e = assertThrows(BadInputException.class, () -> IdxFile.readImages(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void namesAMissingFile() {
        Path file = folder.resolve("absent");
        assertEquals(file + ": no such file",
                assertThrows(BadInputException.class, () -> IdxFile.readImages(file)).getMessage());
    }
}
