package dev.clipengine.data;

/**
 * The transformer family's preprocessing, as OpenAI's CLIP does it with torchvision and Pillow:
 * {@code Resize(size, BICUBIC)}, {@code CenterCrop(size)}, then {@code convert("RGB")}, each as
 * Pillow computes it on the image in its own mode ({@link PillowImage}), byte for byte:
 *
 * <ul>
 *   <li>an image whose shorter side is already {@code size} is not resized, only cropped;</li>
 *   <li>"L" and "RGB" are resized band by band with Pillow's bicubic ({@link PillowBicubic});</li>
 *   <li>"LA" and "RGBA" are premultiplied by alpha first ({@code v * a / 255} rounded, Pillow's
 *       {@code MULDIV255}), resized, then divided by the new alpha again ({@code 255 v / a},
 *       truncated and clipped; kept as it is where alpha is 0 or 255); alpha is then dropped;</li>
 *   <li>"P" and "1" are resized nearest neighbour ({@link PillowNearest}), as Pillow's
 *       {@code Image.resize} does whatever filter is asked for, and take their palette colours
 *       after, as the conversion to RGB after the crop does;</li>
 *   <li>grey becomes R = G = B; a one-channel model takes the grey of a grey image, or
 *       {@link ImageLoader#luminance} of a colour one.</li>
 * </ul>
 *
 * Only the kept square is computed.
 */
final class PillowResize {

    private PillowResize() {
    }

    /** {@code channels x size x size} bytes, {@code (c, y, x)} order. */
    static byte[] resizeAndCrop(PillowImage image, int size, int channels) {
        int width = image.width();
        int height = image.height();
        PillowImage.Mode mode = image.mode();
        CentreCrop crop = CentreCrop.of(width, height, size);
        int[][] square;
        if (!crop.resizes(width, height)) {
            square = PillowBicubic.resizeAndCrop(image, mode.bands(), width, height, crop);
        } else if (mode.nearest) {
            square = nearest(image, crop);
        } else if (mode.alpha) {
            square = PillowBicubic.resizeAndCrop(premultiplied(image), mode.bands(), width, height, crop);
            unpremultiply(square, mode.colours);
        } else {
            square = PillowBicubic.resizeAndCrop(image, mode.bands(), width, height, crop);
        }
        return toChannels(square, mode.colours, size * size, channels);
    }

    private static int[][] nearest(PillowImage image, CentreCrop crop) {
        int size = crop.size();
        int[] columns = PillowNearest.sources(image.width(), crop.resizedWidth(), crop.left(), size);
        int[] rows = PillowNearest.sources(image.height(), crop.resizedHeight(), crop.top(), size);
        int[][] square = new int[image.mode().bands()][size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.pixel(columns[x], rows[y], square, y * size + x);
            }
        }
        return square;
    }

    /** The rows with each colour multiplied by alpha, as Pillow's conversion to "RGBa" or "La". */
    private static PillowBicubic.Rows premultiplied(PillowImage image) {
        int colours = image.mode().colours;
        return (y, out) -> {
            image.read(y, out);
            int[] alpha = out[colours];
            for (int c = 0; c < colours; c++) {
                int[] band = out[c];
                for (int x = 0; x < band.length; x++) {
                    int t = band[x] * alpha[x] + 128;
                    band[x] = ((t >> 8) + t) >> 8;
                }
            }
        };
    }

    /** Pillow's conversion back from "RGBa" or "La": {@code 255 v / a}, truncated, clipped. */
    private static void unpremultiply(int[][] square, int colours) {
        int[] alpha = square[colours];
        for (int p = 0; p < alpha.length; p++) {
            int a = alpha[p];
            if (a == 0 || a == 255) {
                continue;
            }
            for (int c = 0; c < colours; c++) {
                square[c][p] = Math.min(255 * square[c][p] / a, 255);
            }
        }
    }

    /** The square's colours in the model's channels, alpha dropped. */
    private static byte[] toChannels(int[][] square, int colours, int plane, int channels) {
        byte[] pixels = new byte[channels * plane];
        for (int p = 0; p < plane; p++) {
            if (channels == 1) {
                pixels[p] = (byte) (colours == 1 ? square[0][p]
                        : ImageLoader.luminance(square[0][p], square[1][p], square[2][p]));
            } else {
                for (int c = 0; c < 3; c++) {
                    pixels[c * plane + p] = (byte) square[colours == 1 ? 0 : c][p];
                }
            }
        }
        return pixels;
    }
}
