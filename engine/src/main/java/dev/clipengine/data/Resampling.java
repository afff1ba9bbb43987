package dev.clipengine.data;

/**
 * How an image of another size is brought to the model's square: both resize it so its shorter
 * side is the model's image size, the longer truncated, and keep the centre square, as
 * torchvision's {@code Resize(size)} then {@code CenterCrop(size)} do on a PIL image
 * ({@link CentreCrop}); they differ in the filter and in how exactly they follow Pillow.
 */
public enum Resampling {

    /**
     * The card's family: PIL's bilinear filter computed in floating point and rounded once, on
     * samples already in the model's channels ({@link BilinearResize}).
     */
    BILINEAR,

    /**
     * The transformer family, as OpenAI's CLIP preprocesses: Pillow's bicubic resize with its
     * 8-bit fixed-point arithmetic and its mode rules, byte for byte ({@link PillowResize}).
     */
    PILLOW_BICUBIC
}
