package dev.clipengine.data;

/**
 * Pillow's bicubic resize of 8-bit images, as its {@code libImaging/Resample.c} computes it, for
 * the part of the result a centre crop keeps. Each output sample of an axis weighs the source
 * samples around {@code centre = (o + 0.5) * scale} with the cubic convolution kernel
 * ({@code a = -0.5}, support 2, widened by the scale when shrinking); the weights are normalised
 * by their sum in double, then turned into fixed point with {@value #PRECISION_BITS} fraction bits,
 * rounded away from zero. A horizontal pass over the source rows the vertical pass needs comes
 * first and is stored as 8-bit; the vertical pass reads it. Each pass sums in {@code int} from
 * one half and clips to 0..255. A pass whose side keeps its size is skipped, as Pillow skips it.
 *
 * <p>Output values depend only on their own coordinates, so computing only the cropped columns
 * and the rows they need gives exactly the bytes Pillow's full resize holds there.
 */
final class PillowBicubic {

    /** Fraction bits of the fixed-point weights: 32 bits less 8 for the result and 2 for overflow. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    /** The kernel's half width at scale 1. */
    static final double SUPPORT = 2.0;

    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PillowBicubic() {
    }

    /** The rows of an image in bands of 8-bit values, as Pillow holds it: {@code out[band][x]}. */
    interface Rows {

        void read(int y, int[][] out);
    }

    /** The cubic convolution kernel with {@code a = -0.5}, Pillow's {@code bicubic_filter}. */
    static double filter(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /**
     * Fixed-point weights of one axis resized from {@code inSize} to {@code outSize}, for the
     * outputs {@code from .. from + count - 1}: output {@code from + o} reads the source samples
     * {@code first[o] ..} with {@code weights[o]}. Pillow's {@code precompute_coeffs} then
     * {@code normalize_coeffs_8bpc}, operation for operation.
     */
    record Coefficients(int[] first, int[][] weights) {

        static Coefficients of(int inSize, int outSize, int from, int count) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            double ss = 1.0 / filterScale;
            int[] first = new int[count];
            int[][] weights = new int[count][];
            for (int o = 0; o < count; o++) {
                double centre = (from + o + 0.5) * scale;
                int min = Math.max((int) (centre - support + 0.5), 0);
                int taps = Math.min((int) (centre + support + 0.5), inSize) - min;
                double[] k = new double[taps];
                double sum = 0.0;
                for (int x = 0; x < taps; x++) {
                    k[x] = filter((x + min - centre + 0.5) * ss);
                    sum += k[x];
                }
                int[] fixed = new int[taps];
                for (int x = 0; x < taps; x++) {
                    double w = sum != 0.0 ? k[x] / sum : k[x];
                    fixed[x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[o] = min;
                weights[o] = fixed;
            }
            return new Coefficients(first, weights);
        }

        /** First source index after the last one any output reads. */
        int end() {
            int last = first.length - 1;
            return first[last] + weights[last].length;
        }
    }

    /** Pillow's {@code clip8}: the sum's integer part, clamped to a byte. */
    static int clip8(int sum) {
        return Math.clamp(sum >> PRECISION_BITS, 0, 255);
    }

    /**
     * The centre square of the image resized to {@code crop}'s size: {@code [band][y * size + x]},
     * 8-bit values, for an image of {@code width x height} whose rows {@code source} reads.
     */
    static int[][] resizeAndCrop(Rows source, int bands, int width, int height, CentreCrop crop) {
        int size = crop.size();
        boolean horizontal = crop.resizedWidth() != width;
        boolean vertical = crop.resizedHeight() != height;
        Coefficients columns = horizontal ? Coefficients.of(width, crop.resizedWidth(), crop.left(), size) : null;
        Coefficients rows = vertical ? Coefficients.of(height, crop.resizedHeight(), crop.top(), size) : null;
        int firstRow = vertical ? rows.first[0] : crop.top();
        int rowCount = (vertical ? rows.end() : crop.top() + size) - firstRow;

        // horizontal pass (or the kept columns as they are) over the rows the vertical pass reads,
        // held as bytes as Pillow holds its intermediate image
        byte[][] middle = new byte[bands][rowCount * size];
        int[][] row = new int[bands][width];
        for (int y = 0; y < rowCount; y++) {
            source.read(firstRow + y, row);
            for (int b = 0; b < bands; b++) {
                int[] in = row[b];
                byte[] out = middle[b];
                for (int o = 0; o < size; o++) {
                    if (!horizontal) {
                        out[y * size + o] = (byte) in[crop.left() + o];
                        continue;
                    }
                    int[] w = columns.weights[o];
                    int min = columns.first[o];
                    int sum = HALF;
                    for (int i = 0; i < w.length; i++) {
                        sum += in[min + i] * w[i];
                    }
                    out[y * size + o] = (byte) clip8(sum);
                }
            }
        }

        int[][] pixels = new int[bands][size * size];
        for (int b = 0; b < bands; b++) {
            byte[] in = middle[b];
            int[] out = pixels[b];
            if (!vertical) {
                for (int p = 0; p < size * size; p++) {
                    out[p] = in[p] & 0xFF;
                }
                continue;
            }
            for (int o = 0; o < size; o++) {
                int[] w = rows.weights[o];
                int base = (rows.first[o] - firstRow) * size;
                for (int x = 0; x < size; x++) {
                    int sum = HALF;
                    for (int i = 0; i < w.length; i++) {
                        sum += (in[base + i * size + x] & 0xFF) * w[i];
                    }
                    out[o * size + x] = clip8(sum);
                }
            }
        }
        return pixels;
    }
}
