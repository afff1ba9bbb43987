package dev.clipengine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes valid PNG files of any size whose pixels are all zero: they compress about 1000 to 1, so
 * a file of a few hundred kilobytes decodes to hundreds of megabytes, as a hostile one would.
 * Written directly, row by row, since ImageIO would need the whole image in memory first.
 */
public final class LargePng {

    /** PNG colour type 6: red, green, blue and alpha. */
    public static final int RGBA = 6;
    /** PNG colour type 0: grey. */
    public static final int GREY = 0;

    private LargePng() {
    }

    /**
     * A {@code width x height} PNG of {@code colourType} ({@link #RGBA} or {@link #GREY}) at
     * {@code bitDepth} 8 or 16 bits a sample, all zero.
     */
    public static Path write(Path file, int width, int height, int colourType, int bitDepth) {
        int samples = colourType == RGBA ? 4 : 1;
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        // each row: filter type 0, then its samples, all zero
        byte[] row = new byte[1 + width * samples * bitDepth / 8];
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] out = new byte[1 << 16];
        for (int y = 0; y < height; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                idat.write(out, 0, deflater.deflate(out));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(out, 0, deflater.deflate(out));
        }
        deflater.end();
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        try {
            return Files.write(file, png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A PNG of a header and no pixel data: enough for a reader to learn the size, and refuse it,
     * without the time it takes to compress the pixels.
     */
    public static Path headerOnly(Path file, int width, int height, int colourType, int bitDepth) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) colourType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IEND", new byte[0]);
        try {
            return Files.write(file, png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
