package dev.clipengine;

import java.lang.management.ManagementFactory;

/**
 * Bytes of heap one call allocates on the calling thread, garbage included: an honest measure of
 * whether a reader allocated for what a file claims rather than for what it holds, in a JVM of
 * any heap size.
 */
public final class AllocatedBytes {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** What {@link #of} measured and what the call threw, if anything. */
    public record Measured(long bytes, RuntimeException thrown) {
    }

    private AllocatedBytes() {
    }

    /** Runs {@code call} on this thread and measures what it allocated, whether it returned or threw. */
    public static Measured of(Runnable call) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        RuntimeException thrown = null;
        try {
            call.run();
        } catch (RuntimeException e) {
            thrown = e;
        }
        return new Measured(THREADS.getCurrentThreadAllocatedBytes() - before, thrown);
    }
}
