package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.Fifo;
import dev.clipengine.LargePng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderTest {

    @TempDir
    Path folder;

    /** A distinct, non-trivial 8-bit value for every (c, y, x), some above 127. */
    private static int sample(int c, int y, int x) {
        return (37 * c + 53 * y + 71 * x + 11) % 256;
    }

    private Path write(BufferedImage image, String name) throws IOException {
        Path file = folder.resolve(name);
        String format = name.endsWith(".png") ? "png" : "jpeg";
        assertTrue(ImageIO.write(image, format, file.toFile()), "no writer for " + name);
        return file;
    }

    private static byte[] expectedRgb(int size) {
        byte[] pixels = new byte[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    pixels[(c * size + y) * size + x] = (byte) sample(c, y, x);
                }
            }
        }
        return pixels;
    }

    @Test
    void rgbImageOfTheModelSizeIsReadExactlyInChannelMajorOrder() throws IOException {
        BufferedImage image = new BufferedImage(5, 5, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 5; x++) {
                raster.setPixel(x, y, new int[] {sample(0, y, x), sample(1, y, x), sample(2, y, x)});
            }
        }
        assertArrayEquals(expectedRgb(5), ImageLoader.read(write(image, "rgb.png"), 5, 3, Resampling.BILINEAR));
    }

    @Test
    void alphaIsDroppedWithoutTouchingTheColours() throws IOException {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int alpha = (y * 4 + x) * 17; // 0 (fully transparent) to 255
                raster.setPixel(x, y, new int[] {sample(0, y, x), sample(1, y, x), sample(2, y, x), alpha});
            }
        }
        assertArrayEquals(expectedRgb(4), ImageLoader.read(write(image, "rgba.png"), 4, 3, Resampling.BILINEAR));
    }

    @Test
    void greyImageRepeatsItsValueForThreeChannelsAndIsItselfForOne() throws IOException {
        BufferedImage image = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                image.getRaster().setSample(x, y, 0, sample(0, y, x));
            }
        }
        Path file = write(image, "grey.png");
        byte[] grey = new byte[9];
        for (int i = 0; i < 9; i++) {
            grey[i] = (byte) sample(0, i / 3, i % 3);
        }
        assertArrayEquals(grey, ImageLoader.read(file, 3, 1, Resampling.BILINEAR));
        byte[] rgb = ImageLoader.read(file, 3, 3, Resampling.BILINEAR);
        assertArrayEquals(grey, Arrays.copyOfRange(rgb, 0, 9));
        assertArrayEquals(grey, Arrays.copyOfRange(rgb, 9, 18));
        assertArrayEquals(grey, Arrays.copyOfRange(rgb, 18, 27));
    }

    @Test
    void sixteenBitSamplesKeepTheirTopEightBits() throws IOException {
        // 0x12FF would round to 0x13: the top 8 bits are kept, not rounded
        int[] deep = {0x12FF, 0xAB01, 0x0080, 0xFFFF};
        BufferedImage grey = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSamples(0, 0, 2, 2, 0, deep);
        assertArrayEquals(new byte[] {0x12, (byte) 0xAB, 0x00, (byte) 0xFF},
                ImageLoader.read(write(grey, "grey16.png"), 2, 1, Resampling.BILINEAR));

        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(2, 2);
        for (int i = 0; i < 4; i++) {
            raster.setPixel(i % 2, i / 2, new int[] {deep[i], deep[(i + 1) % 4], deep[(i + 2) % 4]});
        }
        BufferedImage rgb = new BufferedImage(model, raster, false, null);
        assertArrayEquals(new byte[] {
                        0x12, (byte) 0xAB, 0x00, (byte) 0xFF,
                        (byte) 0xAB, 0x00, (byte) 0xFF, 0x12,
                        0x00, (byte) 0xFF, 0x12, (byte) 0xAB},
                ImageLoader.read(write(rgb, "rgb16.png"), 2, 3, Resampling.BILINEAR));
    }

    @Test
    void paletteImageGivesThePaletteColours() throws IOException {
        byte[] reds = {(byte) 250, 10};
        byte[] greens = {20, (byte) 200};
        byte[] blues = {30, (byte) 140};
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_BINARY,
                new IndexColorModel(1, 2, reds, greens, blues));
        image.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {0, 1, 1, 0});
        assertArrayEquals(new byte[] {(byte) 250, 10, 10, (byte) 250, 20, (byte) 200, (byte) 200, 20,
                30, (byte) 140, (byte) 140, 30}, ImageLoader.read(write(image, "palette.png"), 2, 3, Resampling.BILINEAR));
    }

    @Test
    void oneChannelTakesTheRoundedLuminance() throws IOException {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000); // 299 * 255 / 1000 = 76.245
        image.setRGB(1, 0, 0x00FF00); // 587 * 255 / 1000 = 149.685, rounds up
        image.setRGB(0, 1, 0x0000FF); // 114 * 255 / 1000 = 29.07
        image.setRGB(1, 1, 0xC86432); // (299 * 200 + 587 * 100 + 114 * 50) / 1000 = 124.2
        assertArrayEquals(new byte[] {76, (byte) 150, 29, 124}, ImageLoader.read(write(image, "colours.png"), 2, 1, Resampling.BILINEAR));
        assertEquals(150, ImageLoader.luminance(0, 255, 0));
        assertEquals(255, ImageLoader.luminance(255, 255, 255));
    }

    @Test
    void wideImageKeepsItsCentreWhenTheShortSideAlreadyFits() throws IOException {
        // 12x4 to 4: no scaling, columns 4..7 are kept
        BufferedImage image = new BufferedImage(12, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 12; x++) {
                image.getRaster().setSample(x, y, 0, 20 * x + y);
            }
        }
        byte[] expected = new byte[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                expected[y * 4 + x] = (byte) (20 * (x + 4) + y);
            }
        }
        assertArrayEquals(expected, ImageLoader.read(write(image, "wide.png"), 4, 1, Resampling.BILINEAR));
    }

    @Test
    void tallImageIsShrunkAndCentreCropped() throws IOException {
        // 32x64 to 16: shrunk to 16x32, rows 8..23 kept, i.e. source rows 16..47. The top half of
        // the source is red, the bottom half blue: the crop's top rows are pure red, its bottom
        // rows pure blue, and only the rows near the middle are blended.
        BufferedImage image = new BufferedImage(32, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 32; x++) {
                image.setRGB(x, y, y < 32 ? 0xDC1E1E : 0x1E1EDC);
            }
        }
        byte[] pixels = ImageLoader.read(write(image, "tall.png"), 16, 3, Resampling.BILINEAR);
        int plane = 16 * 16;
        for (int x = 0; x < 16; x++) {
            for (int y : new int[] {0, 5, 10, 15}) {
                int red = pixels[y * 16 + x] & 0xFF;
                int blue = pixels[2 * plane + y * 16 + x] & 0xFF;
                int green = pixels[plane + y * 16 + x] & 0xFF;
                assertEquals(30, green, "green at " + x + "," + y);
                assertEquals(y < 8 ? 220 : 30, red, "red at " + x + "," + y);
                assertEquals(y < 8 ? 30 : 220, blue, "blue at " + x + "," + y);
            }
            int redAbove = pixels[7 * 16 + x] & 0xFF;
            int redBelow = pixels[8 * 16 + x] & 0xFF;
            assertTrue(redAbove > 125 && redAbove < 220 && redBelow > 30 && redBelow < 125,
                    "the boundary is blended: " + redAbove + ", " + redBelow);
        }
    }

    @Test
    void smallImageIsEnlarged() throws IOException {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {90, 90, 90, 90});
        byte[] pixels = ImageLoader.read(write(image, "small.png"), 7, 3, Resampling.BILINEAR);
        assertEquals(3 * 7 * 7, pixels.length);
        for (byte value : pixels) {
            assertEquals(90, value);
        }
    }

    @Test
    void jpegIsRead() throws IOException {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, 0x808080);
            }
        }
        byte[] pixels = ImageLoader.read(write(image, "flat.jpg"), 8, 3, Resampling.BILINEAR);
        for (byte value : pixels) {
            assertTrue(Math.abs((value & 0xFF) - 128) <= 2, "flat grey survives JPEG: " + (value & 0xFF));
        }
    }

    @Test
    void missingFileIsBadInputNamingIt() {
        Path file = folder.resolve("absent.png");
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(file, 4, 3, Resampling.BILINEAR));
        assertEquals("image " + file + ": no such file", e.getMessage());
    }

    @Test
    void aFifoOrADeviceIsRefusedBeforeItIsOpened() throws Exception {
        Path fifo = Fifo.make(folder.resolve("pipe.png"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(fifo, 4, 3, Resampling.BILINEAR));
            assertEquals("image " + fifo + ": not a regular file (a FIFO, socket or device); only regular files are "
                    + "read", e.getMessage());
        });
        BadInputException e = assertThrows(BadInputException.class,
                () -> ImageLoader.read(Path.of("/dev/zero"), 4, 3, Resampling.BILINEAR));
        assertEquals("image /dev/zero: not a regular file (a FIFO, socket or device); only regular files are read",
                e.getMessage());
    }

    @Test
    void fileThatIsNoImageIsBadInputNamingIt() throws IOException {
        Path file = folder.resolve("notes.png");
        Files.writeString(file, "this is not an image at all, only text pretending to be one");
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(file, 4, 3, Resampling.BILINEAR));
        assertEquals("image " + file + ": not a PNG or JPEG image", e.getMessage());
    }

    @Test
    void truncatedPngIsBadInputNamingIt() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 256; i++) {
            image.setRGB(i % 16, i / 16, i * 0x010305);
        }
        Path file = write(image, "cut.png");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(file, 16, 3, Resampling.BILINEAR));
        assertTrue(e.getMessage().startsWith("image " + file + ": corrupt or unreadable"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void hugeImageIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
        Path file = write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "huge.png");
        byte[] png = Files.readAllBytes(file);
        // IHDR is the first chunk: length (4), type (4), width (4), height (4) ..., then its CRC
        ByteBuffer header = ByteBuffer.wrap(png);
        header.putInt(16, 20_000);
        header.putInt(20, 20_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        header.putInt(12 + 4 + 13, (int) crc.getValue());
        Files.write(file, png);
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(file, 8, 3, Resampling.BILINEAR));
        assertTrue(e.getMessage().startsWith("image " + file + ": 20000x20000 pixels"), e.getMessage());
    }

    @Test
    void anImageThatAloneExceedsTheDecodeBudgetIsRefusedFromItsHeader() {
        // 6000 x 6000 pixels of 16-bit RGBA: 288 MB once decoded (a file of zeros would take 300 KB)
        Path file = LargePng.headerOnly(folder.resolve("deep.png"), 6000, 6000, LargePng.RGBA, 16);
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.read(file, 4, 3, Resampling.BILINEAR));
        assertEquals("image " + file + ": 6000x6000 pixels decode to 288 MB, more than the 268 MB of images decoded "
                + "at once", e.getMessage());
        assertEquals(DecodeBudget.MAX_BYTES, DecodeBudget.available());
    }

    @Test
    void aLargeImageWithinTheBudgetIsReadAndGivesItsBytesBack() {
        Path file = LargePng.write(folder.resolve("large.png"), 1500, 1000, LargePng.RGBA, 16);
        assertArrayEquals(new byte[3 * 4 * 4], ImageLoader.read(file, 4, 3, Resampling.BILINEAR));
        assertEquals(DecodeBudget.MAX_BYTES, DecodeBudget.available());
        Path grey = LargePng.write(folder.resolve("grey.png"), 100, 50, LargePng.GREY, 8);
        assertArrayEquals(new byte[8 * 8], ImageLoader.read(grey, 8, 1, Resampling.BILINEAR));
    }
}
