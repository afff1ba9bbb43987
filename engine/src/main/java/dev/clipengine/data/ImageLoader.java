package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.io.RegularFiles;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

/**
 * Reads a PNG or JPEG file into the {@link Example} pixel layout (docs/formats.md): 8-bit
 * samples, R, G, B or one luminance channel, {@code (c, y, x)} order, at the model's image size,
 * resized with the model's {@link Resampling}: the card's bilinear ({@link BilinearResize}) or
 * Pillow's bicubic as OpenAI's CLIP preprocesses ({@link PillowResize}), for which the mode Pillow
 * would open the file in is read from a PNG's header.
 *
 * <p>Samples are taken from the decoded raster as stored, never through {@code getRGB}, which
 * would convert colour spaces; that is what keeps exact-size images identical to what Python's
 * image libraries read. Every failure is a {@link BadInputException} that names the file.
 *
 * <p>An image's size is read from its header before anything is decoded: beyond the limits a side
 * and in pixels it is refused, and within them its raster's bytes are taken from a budget shared by
 * every thread ({@link DecodeBudget}), so images decoded in parallel cannot together claim more
 * memory than one may.
 */
public final class ImageLoader {

    /** Largest width or height decoded: beyond it a file is more likely hostile than a photo. */
    public static final int MAX_SIDE = 16_384;
    /** Largest pixel count decoded, so one image cannot take gigabytes of memory. */
    public static final long MAX_PIXELS = 100_000_000L;

    private static final String PNG_METADATA = "javax_imageio_png_1.0";

    private ImageLoader() {
    }

    /**
     * {@code channels x imageSize x imageSize} bytes of the image in {@code file}, brought to that
     * size with {@code resampling} (the model's: {@code ModelConfig.resampling()}).
     */
    public static byte[] read(Path file, int imageSize, int channels, Resampling resampling) {
        checkShape(imageSize, channels);
        if (!Files.exists(file)) {
            throw problem(file.toString(), "no such file");
        }
        if (Files.isDirectory(file)) {
            throw problem(file.toString(), "a folder, not an image file");
        }
        if (RegularFiles.isSpecial(file)) {
            throw problem(file.toString(), RegularFiles.NOT_REGULAR);
        }
        try (ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
            return readDecoded(input, file.toString(), imageSize, channels, resampling);
        } catch (IOException e) {
            throw problem(file.toString(), "corrupt or unreadable " + describe(e));
        }
    }

    /**
     * As {@link #read(Path, int, int, Resampling)}, for a PNG or JPEG file's bytes held in memory;
     * {@code name} says which image in errors. Decoding is held to the same limits as a file's.
     */
    public static byte[] read(byte[] encoded, String name, int imageSize, int channels, Resampling resampling) {
        checkShape(imageSize, channels);
        // in memory, not ImageIO's default of caching a stream in a temporary file
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return readDecoded(input, name, imageSize, channels, resampling);
        } catch (IOException e) {
            throw problem(name, "corrupt or unreadable " + describe(e));
        }
    }

    /**
     * An image already decoded (e.g. made in memory) at the model's shape, resized as a file of
     * the same colours would be; {@code name} says which image in errors.
     */
    public static byte[] read(BufferedImage image, String name, int imageSize, int channels, Resampling resampling) {
        checkShape(imageSize, channels);
        requireGreyOrRgb(image, name);
        return resizeAndCrop(image, PillowImage.Mode.of(image, null, 0), imageSize, channels, resampling);
    }

    private static void checkShape(int imageSize, int channels) {
        if (channels != 1 && channels != 3 || imageSize < 1) {
            throw new IllegalArgumentException("expected 1 or 3 channels and a positive size, got " + channels
                    + " and " + imageSize);
        }
    }

    private static byte[] readDecoded(ImageInputStream input, String name, int imageSize, int channels,
                                      Resampling resampling) {
        // the decoded raster's bytes stay taken from the budget until it has been resized
        try (Decoded decoded = decode(input, name)) {
            BufferedImage image = decoded.image();
            requireGreyOrRgb(image, name);
            return resizeAndCrop(image, decoded.mode(), imageSize, channels, resampling);
        }
    }

    private static void requireGreyOrRgb(BufferedImage image, String name) {
        ColorModel model = image.getColorModel();
        int colours = model instanceof IndexColorModel ? 3 : model.getNumColorComponents();
        if (colours != 1 && colours != 3) {
            throw problem(name, colours + " colour components (CMYK?); only grey and RGB images are read");
        }
    }

    /**
     * A decoded image at the model's shape: {@code channels x imageSize x imageSize} bytes,
     * {@code (c, y, x)} order. {@code mode} is the mode Pillow would hold the file in
     * ({@link PillowImage.Mode#of}), which only {@link Resampling#PILLOW_BICUBIC} reads.
     */
    static byte[] resizeAndCrop(BufferedImage image, PillowImage.Mode mode, int imageSize, int channels,
                                Resampling resampling) {
        return switch (resampling) {
            case BILINEAR -> BilinearResize.resizeAndCrop(new SourceRows(image, channels), imageSize);
            case PILLOW_BICUBIC -> PillowResize.resizeAndCrop(new PillowImage(image, mode), imageSize, channels);
        };
    }

    /** The luminance of docs/formats.md: {@code (299 R + 587 G + 114 B) / 1000}, rounded to nearest. */
    public static int luminance(int red, int green, int blue) {
        return (299 * red + 587 * green + 114 * blue + 500) / 1000;
    }

    /**
     * A decoded image, the mode Pillow would open its file in, and the budget its raster takes
     * until it is closed.
     */
    private record Decoded(BufferedImage image, PillowImage.Mode mode, DecodeBudget.Lease lease)
            implements AutoCloseable {

        @Override
        public void close() {
            lease.close();
        }
    }

    private static Decoded decode(ImageInputStream input, String file) {
        try {
            if (input == null) {
                throw problem(file, "cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw problem(file, "not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg")) {
                    throw problem(file, "a " + format.toUpperCase(Locale.ROOT)
                            + " image; only PNG and JPEG are read");
                }
                reader.setInput(input, true, true);
                // the header alone gives the size, so a huge image is refused before it is allocated
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE
                        || (long) width * height > MAX_PIXELS) {
                    throw problem(file, width + "x" + height + " pixels is outside the accepted size (at most "
                            + MAX_SIDE + " a side and " + MAX_PIXELS / 1_000_000 + " megapixels)");
                }
                long bytes = rasterBytes(reader, width, height);
                if (bytes > DecodeBudget.MAX_BYTES) {
                    throw problem(file, width + "x" + height + " pixels decode to " + bytes / 1_000_000
                            + " MB, more than the " + DecodeBudget.MAX_BYTES / 1_000_000
                            + " MB of images decoded at once");
                }
                DecodeBudget.Lease lease = DecodeBudget.take(bytes);
                try {
                    BufferedImage image = reader.read(0);
                    return new Decoded(image, pillowMode(reader, format, image), lease);
                } catch (IOException | RuntimeException | Error e) {
                    lease.close();
                    throw e;
                }
            } finally {
                reader.dispose();
            }
        } catch (BadInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // decoders report damaged data with all sorts of runtime exceptions, not only IIOException
            throw problem(file, "corrupt or unreadable " + describe(e));
        }
    }

    /**
     * The bytes of the raster {@code reader.read(0)} will allocate: the first image type it offers
     * is the one it decodes to, and its sample model gives the storage of one pixel (rounded up to
     * whole data elements, so at most a few times too much for packed 1-bit images).
     */
    private static long rasterBytes(ImageReader reader, int width, int height) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (types == null || !types.hasNext()) {
            throw new IOException("no image type to decode to");
        }
        SampleModel pixel = types.next().getSampleModel(1, 1);
        long bytesPerPixel = Math.ceilDiv((long) pixel.getNumDataElements()
                * DataBuffer.getDataTypeSize(pixel.getDataType()), 8);
        return (long) width * height * bytesPerPixel;
    }

    /** The mode Pillow opens the file in: a PNG's by its header, a JPEG's by its colours. */
    private static PillowImage.Mode pillowMode(ImageReader reader, String format, BufferedImage image)
            throws IOException {
        if (!format.equals("png")) {
            return PillowImage.Mode.of(image, null, 0);
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        Node header = metadata == null ? null
                : ((Element) metadata.getAsTree(PNG_METADATA)).getElementsByTagName("IHDR").item(0);
        if (!(header instanceof Element ihdr)) {
            return PillowImage.Mode.of(image, null, 0);
        }
        int bitDepth;
        try {
            bitDepth = Integer.parseInt(ihdr.getAttribute("bitDepth"));
        } catch (NumberFormatException e) {
            bitDepth = 8;
        }
        return PillowImage.Mode.of(image, ihdr.getAttribute("colorType"), bitDepth);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return "image (" + (message == null || message.isBlank() ? e.getClass().getSimpleName()
                : message.strip().replace('\n', ' ')) + ")";
    }

    private static BadInputException problem(String file, String what) {
        return new BadInputException("image " + file + ": " + what);
    }
}
