package dev.clipengine.model;

/**
 * Cuts an image into the model's patch vectors (docs/model.md): patches in raster order, top
 * row of patches first, each flattened channel-major in {@code (c, y, x)} order, the order of a
 * PyTorch {@code Conv2d} weight, so weights trained elsewhere see the same inputs.
 */
public final class Patches {

    /**
     * {@code byte / 255} for every unsigned byte, computed by float division as PyTorch's
     * {@code x.float() / 255} does; multiplying by {@code 1 / 255f} would differ in the last bit.
     */
    private static final float[] UNIT_VALUE = new float[3 * 256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT_VALUE[v] = UNIT_VALUE[256 + v] = UNIT_VALUE[512 + v] = v / 255f;
        }
    }

    private Patches() {
    }

    /**
     * Writes the {@code (imageSize / patchSize)^2} patches of one image, each of
     * {@code channels * patchSize^2} values {@code byte / 255}, to {@code out} from {@code outOffset}.
     *
     * @param pixels {@code channels x imageSize x imageSize} bytes in {@code (c, y, x)} order
     */
    public static void extract(byte[] pixels, int channels, int imageSize, int patchSize, float[] out,
                               int outOffset) {
        extract(pixels, channels, imageSize, patchSize, UNIT_VALUE, out, outOffset);
    }

    /**
     * As {@link #extract(byte[], int, int, int, float[], int)}, each byte v of channel c becoming
     * {@code values[c * 256 + v]} (a table from {@code PixelNormalization.table()}).
     */
    public static void extract(byte[] pixels, int channels, int imageSize, int patchSize, float[] values,
                               float[] out, int outOffset) {
        if (patchSize < 1 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch size "
                    + patchSize);
        }
        if (pixels.length != channels * imageSize * imageSize) {
            throw new IllegalArgumentException("pixels: expected " + channels + "x" + imageSize + "x" + imageSize
                    + " bytes, got " + pixels.length);
        }
        int patchesPerSide = imageSize / patchSize;
        int plane = imageSize * imageSize;
        int o = outOffset;
        for (int patchRow = 0; patchRow < patchesPerSide; patchRow++) {
            for (int patchColumn = 0; patchColumn < patchesPerSide; patchColumn++) {
                int topLeft = patchRow * patchSize * imageSize + patchColumn * patchSize;
                for (int c = 0; c < channels; c++) {
                    int table = c * 256;
                    for (int y = 0; y < patchSize; y++) {
                        int rowStart = c * plane + topLeft + y * imageSize;
                        for (int x = 0; x < patchSize; x++) {
                            out[o++] = values[table + (pixels[rowStart + x] & 0xFF)];
                        }
                    }
                }
            }
        }
    }

    /**
     * The patches of one image given as values, {@code channels x imageSize x imageSize} from
     * {@code from} in {@code (c, y, x)} order, in the same order as {@link #extract}.
     */
    public static void extractValues(float[] image, int from, int channels, int imageSize, int patchSize,
                                     float[] out, int outOffset) {
        int patchesPerSide = imageSize / patchSize;
        int plane = imageSize * imageSize;
        int o = outOffset;
        for (int patchRow = 0; patchRow < patchesPerSide; patchRow++) {
            for (int patchColumn = 0; patchColumn < patchesPerSide; patchColumn++) {
                int topLeft = from + patchRow * patchSize * imageSize + patchColumn * patchSize;
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < patchSize; y++) {
                        System.arraycopy(image, c * plane + topLeft + y * imageSize, out, o, patchSize);
                        o += patchSize;
                    }
                }
            }
        }
    }
}
