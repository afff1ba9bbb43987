package dev.clipengine.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PatchesTest {

    /**
     * A 3-channel 4x4 image whose byte at (c, y, x) is {@code 100 c + 4 y + x}: channel 2 is above
     * 127, so a signed read would go negative, and every byte is distinct, so a (y, x, c) order or a
     * column-major patch order gives different vectors.
     */
    private static byte[] image() {
        byte[] pixels = new byte[3 * 4 * 4];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    pixels[c * 16 + y * 4 + x] = (byte) (100 * c + 4 * y + x);
                }
            }
        }
        return pixels;
    }

    @Test
    void patchesAreInRasterOrderAndChannelMajor() {
        // written out by hand from docs/model.md: patch (row, column), then c, y, x
        int[][] expected = {
                {0, 1, 4, 5, 100, 101, 104, 105, 200, 201, 204, 205},         // top left
                {2, 3, 6, 7, 102, 103, 106, 107, 202, 203, 206, 207},         // top right
                {8, 9, 12, 13, 108, 109, 112, 113, 208, 209, 212, 213},       // bottom left
                {10, 11, 14, 15, 110, 111, 114, 115, 210, 211, 214, 215}};    // bottom right
        float[] out = new float[2 + 4 * 12];
        Patches.extract(image(), 3, 4, 2, out, 2);

        float[] want = new float[out.length];
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 12; i++) {
                want[2 + p * 12 + i] = expected[p][i] / 255f;
            }
        }
        assertArrayEquals(want, out, 0f);
    }

    @Test
    void valuesAreUnsignedBytesOver255() {
        byte[] pixels = {0, 1, (byte) 128, (byte) 255};
        float[] out = new float[4];
        Patches.extract(pixels, 1, 2, 2, out, 0);
        assertArrayEquals(new float[] {0f, 1f / 255f, 128f / 255f, 1f}, out, 0f);
    }

    @Test
    void onePatchCoveringTheImageIsTheImageInChannelMajorOrder() {
        byte[] pixels = image();
        float[] out = new float[48];
        Patches.extract(pixels, 3, 4, 4, out, 0);
        for (int i = 0; i < 48; i++) {
            assertEquals((pixels[i] & 0xFF) / 255f, out[i], 0f);
        }
    }

    @Test
    void refusesAnImageSizeThatIsNotAMultipleOfThePatchSize() {
        assertThrows(IllegalArgumentException.class, () -> Patches.extract(new byte[25], 1, 5, 2, new float[25], 0));
    }
}
