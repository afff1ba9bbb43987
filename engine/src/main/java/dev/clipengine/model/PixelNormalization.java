package dev.clipengine.model;

import java.util.Arrays;

/**
 * How a pixel byte becomes an input value: {@code (byte / 255 - mean[c]) / std[c]} per channel,
 * each step in float as torchvision's {@code ToTensor} and {@code Normalize} compute it. The card's
 * models take {@code byte / 255} alone ({@link #UNIT}); the transformers take OpenAI's mean and
 * standard deviation unless a file says otherwise.
 */
public record PixelNormalization(float[] mean, float[] std) {

    /** {@code byte / 255}, no normalisation. */
    public static final PixelNormalization UNIT = new PixelNormalization(new float[] {0f, 0f, 0f},
            new float[] {1f, 1f, 1f});

    /** The statistics OpenAI's CLIP was trained with (R, G, B). */
    public static final PixelNormalization OPENAI = new PixelNormalization(
            new float[] {0.48145466f, 0.4578275f, 0.40821073f}, new float[] {0.26862954f, 0.26130258f, 0.27577711f});

    public PixelNormalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels each, got " + mean.length + " and "
                    + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The input value of every byte for every channel, {@code [channel * 256 + byte]}: a lookup
     * table, so a batch is filled with no arithmetic per pixel.
     */
    public float[] table() {
        float[] table = new float[3 * 256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                // float division first, as PyTorch's x.float() / 255, then Normalize's (x - mean) / std
                float unit = v / 255f;
                table[c * 256 + v] = (unit - mean[c]) / std[c];
            }
        }
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PixelNormalization p && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
