package dev.clipengine.data;

import java.util.concurrent.Semaphore;

/**
 * Bounds the bytes of decoded images held at once by every thread together. A PNG of a few hundred
 * kilobytes can declare 10,000 x 10,000 pixels that decode to 400 MB; the per-image limit allows
 * that, but a data set of a few such files decoded on every core at once would claim gigabytes.
 * Each decoding thread first takes its raster's bytes from this budget, waiting while others hold
 * them, and gives them back once the image is resized; an image larger than the whole budget is
 * refused, since it could never be decoded within it.
 */
final class DecodeBudget {

    /** Bytes of decoded rasters held at once: a quarter of a 1 GB heap, and any one image below it. */
    static final long MAX_BYTES = 1L << 28;

    /** One permit a byte; fair, so a large image is not starved by a stream of small ones. */
    private static final Semaphore BYTES = new Semaphore((int) MAX_BYTES, true);

    /** Bytes taken from the budget, given back by {@link #close()}. */
    static final class Lease implements AutoCloseable {

        private int bytes;

        private Lease(int bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            BYTES.release(bytes);
            bytes = 0;
        }
    }

    private DecodeBudget() {
    }

    /**
     * Takes {@code bytes} (at most {@link #MAX_BYTES}), waiting until other decodes give back
     * enough. Waiting is not interrupted: every holder is decoding and will give its bytes back.
     */
    static Lease take(long bytes) {
        if (bytes < 0 || bytes > MAX_BYTES) {
            throw new IllegalArgumentException(bytes + " bytes, outside 0 to " + MAX_BYTES);
        }
        BYTES.acquireUninterruptibly((int) bytes);
        return new Lease((int) bytes);
    }

    /** Bytes not held by any decode now, for tests. */
    static long available() {
        return BYTES.availablePermits();
    }
}
