package dev.clipengine.data;

/**
 * One image-caption pair. {@code pixels} holds {@code channels x size x size} bytes in
 * channel-major {@code (c, y, x)} order, already at the model's image size; {@code label} is the
 * pair's class (an index into its dataset's class list) or -1 where there are no classes.
 */
public record Example(byte[] pixels, int channels, int size, String caption, int label) {

    public Example {
        if (pixels.length != channels * size * size) {
            throw new IllegalArgumentException("pixels: expected " + channels + "x" + size + "x" + size
                    + " bytes, got " + pixels.length);
        }
    }
}
