package dev.clipengine.data;

/**
 * Where torchvision's {@code Resize(size)} then {@code CenterCrop(size)} take an image of
 * {@code width x height}: the shorter side becomes {@code size} and the longer
 * {@code int(size * long / short)}, truncated, then the centre square is kept from
 * {@code (left, top)}, each offset {@code int(round((resized - size) / 2))} with Python's rounding
 * half to even.
 *
 * <p>The longer side is computed in integers: Python divides in floating point, but for sides up to
 * {@link ImageLoader#MAX_SIDE} the rounded quotient never crosses an integer, so both truncate alike.
 */
record CentreCrop(int resizedWidth, int resizedHeight, int left, int top, int size) {

    static CentreCrop of(int width, int height, int size) {
        int resizedWidth = width <= height ? size : (int) ((long) size * width / height);
        int resizedHeight = height <= width ? size : (int) ((long) size * height / width);
        return new CentreCrop(resizedWidth, resizedHeight, start(resizedWidth, size), start(resizedHeight, size),
                size);
    }

    /** Whether the image changes size at all: torchvision returns an image already of that size untouched. */
    boolean resizes(int width, int height) {
        return resizedWidth != width || resizedHeight != height;
    }

    /** {@code int(round((resized - size) / 2))}: half a pixel rounds to even. */
    private static int start(int resized, int size) {
        return (int) Math.rint((resized - size) / 2.0);
    }
}
