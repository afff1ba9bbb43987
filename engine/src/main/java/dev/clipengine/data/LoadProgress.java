package dev.clipengine.data;

/**
 * Hears how far the decoding of a data set's images has got, to show it. May be called from
 * several threads at once, with counts that arrive out of order.
 */
@FunctionalInterface
public interface LoadProgress {

    /** Nothing to show. */
    LoadProgress NONE = (done, total) -> { };

    /** {@code done} of {@code total} images are decoded. */
    void loaded(int done, int total);
}
