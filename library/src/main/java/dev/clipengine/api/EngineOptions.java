package dev.clipengine.api;

/**
 * How a {@link ClipEngine} computes. Start from {@link #defaults()} and change what you need:
 * {@code EngineOptions.defaults().withConcurrency(2).withMaxBatch(16)}.
 *
 * @param backend     the compute backend by name: {@code vector} (the JDK Vector API, needs
 *                    {@code --add-modules jdk.incubator.vector}), {@code scalar}, or {@code blas}
 *                    and {@code javacpp} when the {@code clip-engine-blas-backends} artifact is on
 *                    the class path; null picks {@code vector} when the Vector API is enabled,
 *                    else {@code scalar}
 * @param threads     threads each encoder computes with; 0 shares the machine's cores among the
 *                    encoders (at least one each)
 * @param concurrency encoders held, each with its own buffers and backend: how many callers
 *                    encode at the same time (others wait for a free one)
 * @param maxBatch    images or texts one encoder takes at once; larger lists are encoded in
 *                    batches of this size. An encoder's memory grows with it.
 */
public record EngineOptions(String backend, int threads, int concurrency, int maxBatch) {

    /** Most encoders one engine holds. */
    public static final int MAX_CONCURRENCY = 64;
    /** Largest batch an encoder takes. */
    public static final int MAX_BATCH = 4096;

    /** Checks each value; a bad one is an {@link IllegalArgumentException} naming it. */
    public EngineOptions {
        if (backend != null && backend.isBlank()) {
            throw new IllegalArgumentException("backend must be null (the default) or a name, got a blank string");
        }
        if (threads < 0 || threads > 1024) {
            throw new IllegalArgumentException("threads must be 0 (share the cores) to 1024, got " + threads);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be 1 to " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        if (maxBatch < 1 || maxBatch > MAX_BATCH) {
            throw new IllegalArgumentException("maxBatch must be 1 to " + MAX_BATCH + ", got " + maxBatch);
        }
    }

    /**
     * The default backend, every core, one encoder, batches of 32.
     *
     * @return the default options
     */
    public static EngineOptions defaults() {
        return new EngineOptions(null, 0, 1, 32);
    }

    /**
     * These options with another backend.
     *
     * @param name the backend's name, or null for the default
     * @return the changed options
     */
    public EngineOptions withBackend(String name) {
        return new EngineOptions(name, threads, concurrency, maxBatch);
    }

    /**
     * These options with another thread count.
     *
     * @param count threads each encoder computes with; 0 shares the cores
     * @return the changed options
     */
    public EngineOptions withThreads(int count) {
        return new EngineOptions(backend, count, concurrency, maxBatch);
    }

    /**
     * These options with another number of encoders.
     *
     * @param encoders how many callers encode at the same time
     * @return the changed options
     */
    public EngineOptions withConcurrency(int encoders) {
        return new EngineOptions(backend, threads, encoders, maxBatch);
    }

    /**
     * These options with another batch size.
     *
     * @param size images or texts an encoder takes at once
     * @return the changed options
     */
    public EngineOptions withMaxBatch(int size) {
        return new EngineOptions(backend, threads, concurrency, size);
    }

    /** The threads each encoder's backend gets on a machine of {@code cores} cores. */
    int threadsPerEncoder(int cores) {
        return threads > 0 ? threads : Math.max(1, cores / concurrency);
    }
}
