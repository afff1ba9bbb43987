package dev.clipengine.data;

/**
 * The card's family's resize: PIL's bilinear filter, whose triangle widens when shrinking so that
 * large images are averaged rather than aliased, computed in floating point on samples already in
 * the model's channels and rounded once at the end. Only the kept pixels of the centre crop
 * ({@link CentreCrop}) are computed. At the same size the weights are exactly 1 and 0, so an
 * exact-size image passes through unchanged; other sizes are close to Pillow's, not equal.
 */
final class BilinearResize {

    private BilinearResize() {
    }

    /** {@code channels x imageSize x imageSize} bytes, {@code (c, y, x)} order. */
    static byte[] resizeAndCrop(SourceRows source, int imageSize) {
        int width = source.width();
        int height = source.height();
        CentreCrop crop = CentreCrop.of(width, height, imageSize);
        AxisWeights columns = AxisWeights.of(width, crop.resizedWidth(), crop.left(), imageSize);
        AxisWeights rows = AxisWeights.of(height, crop.resizedHeight(), crop.top(), imageSize);

        int channels = source.channels();
        int firstRow = rows.first[0];
        int rowCount = rows.first[imageSize - 1] + rows.weights[imageSize - 1].length - firstRow;
        float[][] horizontal = new float[channels][rowCount * imageSize];
        float[][] row = new float[channels][width];
        for (int y = 0; y < rowCount; y++) {
            source.read(firstRow + y, row);
            for (int c = 0; c < channels; c++) {
                for (int x = 0; x < imageSize; x++) {
                    horizontal[c][y * imageSize + x] = (float) columns.apply(row[c], x, 0, 1);
                }
            }
        }

        byte[] pixels = new byte[channels * imageSize * imageSize];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < imageSize; y++) {
                for (int x = 0; x < imageSize; x++) {
                    double value = rows.apply(horizontal[c], y, x - firstRow * imageSize, imageSize);
                    pixels[(c * imageSize + y) * imageSize + x] = (byte) Math.clamp(Math.round(value), 0, 255);
                }
            }
        }
        return pixels;
    }

    /**
     * PIL's resampling coefficients for one axis: output index o of the crop reads source samples
     * {@code first[o] ..} with {@code weights[o]}, which sum to 1.
     */
    private record AxisWeights(int[] first, double[][] weights) {

        static AxisWeights of(int sourceSize, int resizedSize, int cropStart, int cropSize) {
            double scale = (double) sourceSize / resizedSize;
            double filterScale = Math.max(scale, 1.0);
            int[] first = new int[cropSize];
            double[][] weights = new double[cropSize][];
            for (int o = 0; o < cropSize; o++) {
                double centre = (cropStart + o + 0.5) * scale;
                int from = Math.max((int) (centre - filterScale + 0.5), 0);
                int to = Math.min((int) (centre + filterScale + 0.5), sourceSize);
                double[] w = new double[to - from];
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    w[k] = Math.max(0, 1 - Math.abs((from + k - centre + 0.5) / filterScale));
                    sum += w[k];
                }
                for (int k = 0; k < w.length; k++) {
                    w[k] /= sum;
                }
                first[o] = from;
                weights[o] = w;
            }
            return new AxisWeights(first, weights);
        }

        /** Output o of this axis from samples {@code values[offset + i * stride]}, i the source index. */
        double apply(float[] values, int o, int offset, int stride) {
            double sum = 0;
            double[] w = weights[o];
            for (int k = 0; k < w.length; k++) {
                sum += w[k] * values[offset + (first[o] + k) * stride];
            }
            return sum;
        }
    }
}
