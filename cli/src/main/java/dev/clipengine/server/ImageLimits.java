package dev.clipengine.server;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/**
 * The server's own bound on image size, below the engine's: each image's width and height are
 * read from its header, and one beyond the limit is refused before anything is decoded. Bytes
 * that are no image are left for the engine to refuse with its own message.
 */
final class ImageLimits {

    private ImageLimits() {
    }

    static void check(String field, List<byte[]> images, long maxPixels) {
        for (int i = 0; i < images.size(); i++) {
            long pixels = declaredPixels(images.get(i));
            if (pixels > maxPixels) {
                throw new HttpError(422, field + "[" + i + "]: " + pixels + " pixels is more than the server's limit of "
                        + maxPixels);
            }
        }
    }

    /** Width x height as the header says, or 0 when the bytes are no image ImageIO can size. */
    private static long declaredPixels(byte[] encoded) {
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                return 0;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                return (long) reader.getWidth(0) * reader.getHeight(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // a damaged header: decoding will fail and say so
            return 0;
        }
    }
}
