package dev.clipengine.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded image one row at a time, already 8-bit and in the model's channels, so resizing
 * never needs a second full-size copy of a large image. Alpha is ignored, 16-bit samples keep
 * their top 8 bits, and a palette gives its colours; what the card's family's resize reads
 * ({@link BilinearResize}).
 */
final class SourceRows {

    private final Raster raster;
    private final IndexColorModel palette;
    private final int colourBands;
    private final int[] bitsPerBand;
    private final int channels;
    private final int[][] bandRows;

    SourceRows(BufferedImage image, int channels) {
        this.raster = image.getRaster();
        this.channels = channels;
        ColorModel model = image.getColorModel();
        this.palette = model instanceof IndexColorModel indexed ? indexed : null;
        this.colourBands = palette != null ? 1 : model.getNumColorComponents();
        this.bitsPerBand = raster.getSampleModel().getSampleSize();
        this.bandRows = new int[colourBands][raster.getWidth()];
    }

    int width() {
        return raster.getWidth();
    }

    int height() {
        return raster.getHeight();
    }

    int channels() {
        return channels;
    }

    /** Row y as 8-bit values: {@code out[c][x]} for each of the model's channels. */
    void read(int y, float[][] out) {
        int width = raster.getWidth();
        for (int band = 0; band < colourBands; band++) {
            raster.getSamples(0, y, width, 1, band, bandRows[band]);
        }
        for (int x = 0; x < width; x++) {
            int red;
            int green;
            int blue;
            if (palette != null) {
                int index = bandRows[0][x];
                red = palette.getRed(index);
                green = palette.getGreen(index);
                blue = palette.getBlue(index);
            } else if (colourBands == 1) {
                red = green = blue = toByte(bandRows[0][x], bitsPerBand[0]);
            } else {
                red = toByte(bandRows[0][x], bitsPerBand[0]);
                green = toByte(bandRows[1][x], bitsPerBand[1]);
                blue = toByte(bandRows[2][x], bitsPerBand[2]);
            }
            if (channels == 1) {
                out[0][x] = ImageLoader.luminance(red, green, blue);
            } else {
                out[0][x] = red;
                out[1][x] = green;
                out[2][x] = blue;
            }
        }
    }

    /** Deeper samples keep their top 8 bits; shallower ones stretch to the full 0..255. */
    static int toByte(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return (sample * 255 + ((1 << bits) - 1) / 2) / ((1 << bits) - 1);
    }
}
