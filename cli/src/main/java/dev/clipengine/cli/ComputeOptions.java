package dev.clipengine.cli;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The options every command that computes shares: the backend, its threads, and --debug. */
final class ComputeOptions {

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Compute backend: scalar, vector, blas, javacpp. Default: vector when the Vector API is "
                    + "enabled, else scalar.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "Threads to compute on. Default: every core.")
    Integer threads;

    @Mixin
    DebugOption debug;

    /** The threads asked for, checked; every core when not given. */
    int threadCount() {
        Options.range("--threads", threads == null ? 1 : threads, 1, 1024);
        return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** The backend's name: the one asked for, or the default. */
    String backendName() {
        return backend == null ? Backends.defaultName() : backend;
    }

    /**
     * The backend asked for, checked. Left to choose, it takes {@code vector}; when the Vector API
     * is not enabled it falls back to {@code scalar} and says so on {@code err}, with the flag that
     * enables it.
     */
    Backend create(PrintWriter err) {
        int count = threadCount();
        String name = backendName();
        if (backend == null && !name.equals("vector")) {
            noteScalarFallback(err);
        }
        return Backends.create(name, count);
    }

    /** Says that the default fell back to {@code scalar}, and the flag that enables the Vector API. */
    static void noteScalarFallback(PrintWriter err) {
        err.println("note: the Vector API is not enabled, so this runs on the slow scalar backend; start java "
                + "with --add-modules jdk.incubator.vector (the clip-engine launcher does)");
    }
}
