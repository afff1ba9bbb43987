package dev.clipengine.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image as Pillow holds it after {@code Image.open}: in Pillow's mode for the file, one
 * 8-bit value per band. The mode decides how Pillow resizes: bicubic on each band for "L" and
 * "RGB", bicubic on premultiplied colour for "LA" and "RGBA", nearest neighbour for "P" and "1".
 *
 * <p>A PNG's mode follows its header, as Pillow's reader maps it: 1-bit grey is "1", 2-, 4- and
 * 8-bit grey "L", palette "P", grey with alpha "LA", RGB "RGB" and RGB with alpha "RGBA". That
 * differs from what Java's decoder makes of some files (a grey or RGB PNG with a transparent colour
 * comes out with an alpha band, which Pillow does not add; 1- to 4-bit grey comes out as a
 * palette), so the header is what decides. A JPEG, or an image made in memory, takes its mode from
 * its colour model.
 *
 * <p>Palette images are read as their colours: nearest neighbour copies samples, so looking the
 * colour up before or after it is the same.
 */
final class PillowImage implements PillowBicubic.Rows {

    /** Pillow's image modes for 8-bit PNG and JPEG files. */
    enum Mode {
        /** 1-bit: resized nearest neighbour. */
        BILEVEL(1, false, true),
        L(1, false, false),
        /** Palette, read as R, G, B: resized nearest neighbour. */
        P(3, false, true),
        LA(1, true, false),
        RGB(3, false, false),
        RGBA(3, true, false);

        final int colours;
        final boolean alpha;
        final boolean nearest;

        Mode(int colours, boolean alpha, boolean nearest) {
            this.colours = colours;
            this.alpha = alpha;
            this.nearest = nearest;
        }

        /** Bands read: the colours, then alpha when there is one. */
        int bands() {
            return alpha ? colours + 1 : colours;
        }

        /**
         * The mode Pillow opens an image in: from a PNG's header ({@code colourType} as Java's PNG
         * metadata names it, null for other formats), else from the decoded colour model.
         */
        static Mode of(BufferedImage image, String pngColourType, int pngBitDepth) {
            ColorModel model = image.getColorModel();
            Mode decoded = model instanceof IndexColorModel ? P
                    : model.getNumColorComponents() == 1 ? (model.hasAlpha() ? LA : L)
                    : model.hasAlpha() ? RGBA : RGB;
            if (pngColourType == null) {
                return decoded;
            }
            Mode header = switch (pngColourType) {
                case "Grayscale" -> pngBitDepth == 1 ? BILEVEL : L;
                case "GrayAlpha" -> LA;
                case "Palette" -> P;
                case "RGB" -> RGB;
                case "RGBAlpha" -> RGBA;
                default -> decoded;
            };
            // Java's decoder gives each colour type these colours (and alpha, where the type has
            // it); the header is trusted only if so
            boolean fits = model instanceof IndexColorModel indexed
                    ? header == P || !header.alpha && indexedColours(indexed) == header.colours
                    : header != P && model.getNumColorComponents() == header.colours
                            && (!header.alpha || model.hasAlpha());
            return fits ? header : decoded;
        }

        private static int indexedColours(IndexColorModel palette) {
            for (int i = 0; i < palette.getMapSize(); i++) {
                int red = palette.getRed(i);
                if (red != palette.getGreen(i) || red != palette.getBlue(i)) {
                    return 3;
                }
            }
            return 1;
        }
    }

    private final Raster raster;
    private final IndexColorModel palette;
    private final Mode mode;
    private final int[] bitsPerBand;
    private final int alphaBand;
    private final int[][] bandRows;

    PillowImage(BufferedImage image, Mode mode) {
        this.raster = image.getRaster();
        this.mode = mode;
        ColorModel model = image.getColorModel();
        this.palette = model instanceof IndexColorModel indexed ? indexed : null;
        this.bitsPerBand = raster.getSampleModel().getSampleSize();
        // an alpha band follows the colour bands; a grey or RGB PNG with a transparent colour has
        // one in Java but not in Pillow, and the mode leaves it unread
        this.alphaBand = palette == null && model.hasAlpha() ? model.getNumColorComponents() : -1;
        this.bandRows = new int[palette != null ? 1 : mode.bands()][raster.getWidth()];
    }

    Mode mode() {
        return mode;
    }

    int width() {
        return raster.getWidth();
    }

    int height() {
        return raster.getHeight();
    }

    /** Row y in the mode's bands: {@code out[band][x]}, the colours then alpha. */
    @Override
    public void read(int y, int[][] out) {
        int width = raster.getWidth();
        if (palette != null) {
            raster.getSamples(0, y, width, 1, 0, bandRows[0]);
            for (int x = 0; x < width; x++) {
                colour(bandRows[0][x], out, x);
            }
            return;
        }
        for (int band = 0; band < mode.colours; band++) {
            raster.getSamples(0, y, width, 1, band, bandRows[band]);
            int bits = bitsPerBand[band];
            for (int x = 0; x < width; x++) {
                out[band][x] = SourceRows.toByte(bandRows[band][x], bits);
            }
        }
        if (mode.alpha) {
            int[] alpha = bandRows[mode.colours];
            raster.getSamples(0, y, width, 1, alphaBand, alpha);
            int bits = bitsPerBand[alphaBand];
            for (int x = 0; x < width; x++) {
                out[mode.colours][x] = SourceRows.toByte(alpha[x], bits);
            }
        }
    }

    /**
     * Pixel (x, y) in the mode's bands, into {@code out[band][at]}; a pixel outside the image
     * is the one whose stored bytes are all zero, as Pillow fills one.
     */
    void pixel(int x, int y, int[][] out, int at) {
        if (x < 0 || y < 0) {
            if (palette != null) {
                colour(0, out, at);
            } else {
                for (int[] band : out) {
                    band[at] = 0;
                }
            }
            return;
        }
        if (palette != null) {
            colour(raster.getSample(x, y, 0), out, at);
            return;
        }
        for (int band = 0; band < mode.colours; band++) {
            out[band][at] = SourceRows.toByte(raster.getSample(x, y, band), bitsPerBand[band]);
        }
        if (mode.alpha) {
            out[mode.colours][at] = SourceRows.toByte(raster.getSample(x, y, alphaBand), bitsPerBand[alphaBand]);
        }
    }

    /** A palette entry in the mode's bands: its grey for "1" and "L", R, G, B for "P". */
    private void colour(int index, int[][] out, int at) {
        out[0][at] = palette.getRed(index);
        if (mode.colours == 3) {
            out[1][at] = palette.getGreen(index);
            out[2][at] = palette.getBlue(index);
        }
        if (mode.alpha) {
            out[mode.colours][at] = palette.getAlpha(index);
        }
    }
}
