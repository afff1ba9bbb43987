package dev.clipengine.cli;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import picocli.CommandLine.Option;

/** The options every command that runs a saved model shares: where it computes, and --debug. */
final class ComputeOptions {

    @Option(names = "--backend", paramLabel = "NAME", description = "Compute backend. Default: vector when enabled.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "Threads to compute on. Default: every core.")
    Integer threads;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    /** The backend asked for, checked. */
    Backend create() {
        Options.range("--threads", threads == null ? 1 : threads, 1, 1024);
        int count = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        return Backends.create(backend == null ? Backends.defaultName() : backend, count);
    }
}
