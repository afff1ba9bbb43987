package dev.clipengine.kernels;

/**
 * Makes one kind of backend. The engine provides {@code scalar} and {@code vector}; other modules
 * add theirs through {@link java.util.ServiceLoader} (a {@code META-INF/services} entry).
 */
public interface BackendProvider {

    /** The name users select it by. */
    String name();

    /** Why it cannot run in this JVM, and what fixes that; null when it can. */
    String unavailableReason();

    /** A new backend computing on the given number of threads. */
    Backend create(int threads);
}
