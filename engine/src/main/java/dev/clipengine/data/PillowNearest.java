package dev.clipengine.data;

/**
 * Pillow's nearest-neighbour resize, which {@code Image.resize} uses for palette ("P") and 1-bit
 * ("1") images whatever filter is asked for: {@code libImaging/Geometry.c}'s
 * {@code ImagingScaleAffine}. Output i of an axis reads source sample {@code (int) pos}, where
 * {@code pos} starts at half a step and grows by one step of {@code in / out} per output, added
 * up in double as Pillow adds it (not multiplied), so the rare sample where the two differ is the
 * one Pillow takes.
 */
final class PillowNearest {

    /** An output whose position falls outside the source: Pillow fills it with a zero byte. */
    static final int OUTSIDE = -1;

    private PillowNearest() {
    }

    /**
     * The source index each output {@code from .. from + count - 1} of an axis resized from
     * {@code inSize} to {@code outSize} reads, or {@link #OUTSIDE}.
     */
    static int[] sources(int inSize, int outSize, int from, int count) {
        double step = (double) inSize / outSize;
        double position = step * 0.5;
        int[] sources = new int[count];
        for (int i = 0; i < from + count; i++) {
            if (i >= from) {
                int source = position < 0.0 ? -1 : (int) position;
                sources[i - from] = source < inSize ? source : OUTSIDE;
            }
            position += step;
        }
        return sources;
    }
}
