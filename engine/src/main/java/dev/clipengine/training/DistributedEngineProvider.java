package dev.clipengine.training;

/**
 * A data-parallel {@link StepEngine} found at run time ({@code java.util.ServiceLoader}), so the
 * command line offers it when the module that brings it, and its cluster libraries, are on the
 * class path, and the core jar carries neither.
 */
public interface DistributedEngineProvider {

    /** The engine's name, as the command line's flag says it (e.g. {@code spark}). */
    String name();

    /** Connects to the cluster and returns the engine; the caller closes it. */
    StepEngine create(DistributedTraining training);
}
