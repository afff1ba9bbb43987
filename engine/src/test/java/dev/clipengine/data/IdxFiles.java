package dev.clipengine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, in the layout of the MNIST originals. */
final class IdxFiles {

    private IdxFiles() {
    }

    /** An {@code idx3-ubyte} image file's bytes: {@code pixels[i]} is image i, rows x columns. */
    static byte[] images(int rows, int columns, byte[]... pixels) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + pixels.length * rows * columns); // big-endian
        buffer.putInt(IdxFile.IMAGES_MAGIC).putInt(pixels.length).putInt(rows).putInt(columns);
        for (byte[] image : pixels) {
            buffer.put(image);
        }
        return buffer.array();
    }

    /** An {@code idx1-ubyte} label file's bytes. */
    static byte[] labels(int... labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(IdxFile.LABELS_MAGIC).putInt(labels.length);
        for (int label : labels) {
            buffer.put((byte) label);
        }
        return buffer.array();
    }

    /** A header alone: magic then sizes, as a damaged or hostile file might have it. */
    static byte[] header(int magic, int... sizes) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * sizes.length);
        buffer.putInt(magic);
        for (int size : sizes) {
            buffer.putInt(size);
        }
        return buffer.array();
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The content gzip-compressed, then spaces appended up to {@code size} bytes: gzip readers stop
     * at the end of the compressed stream, so the file holds the same content but is large enough
     * for a header's claim to pass the check against the file's size.
     */
    static byte[] gzip(byte[] content, int size) {
        byte[] gz = gzip(content);
        byte[] padded = java.util.Arrays.copyOf(gz, Math.max(size, gz.length));
        java.util.Arrays.fill(padded, gz.length, padded.length, (byte) ' ');
        return padded;
    }

    /** An image whose every pixel is {@code value}. */
    static byte[] filled(int rows, int columns, int value) {
        byte[] image = new byte[rows * columns];
        java.util.Arrays.fill(image, (byte) value);
        return image;
    }

    static Path write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
