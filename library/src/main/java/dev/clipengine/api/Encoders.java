package dev.clipengine.api;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * A fixed set of encoding graphs, each on a backend of its own, lent to one caller at a time: a
 * graph and its backend keep buffers and worker threads that two callers must not share. A caller
 * that finds none free waits for one.
 */
final class Encoders implements AutoCloseable {

    private final List<Backend> backends = new ArrayList<>();
    private final BlockingQueue<ClipGraph> idle;
    private final int count;
    private volatile boolean closed;

    Encoders(ClipModel model, String backend, int threads, int count, int maxBatch) {
        this.count = count;
        this.idle = new ArrayBlockingQueue<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Backend compute = Backends.create(backend, threads);
                backends.add(compute);
                idle.add(ClipGraph.forEncoding(model, compute, maxBatch));
            }
        } catch (RuntimeException | Error e) {
            backends.forEach(Encoders::closeQuietly);
            throw e;
        }
    }

    String backendName() {
        return backends.getFirst().name();
    }

    /** {@code work} done on a graph no other caller holds meanwhile. */
    <T> T withGraph(Function<ClipGraph, T> work) {
        requireOpen();
        ClipGraph graph;
        try {
            graph = idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a free encoder");
        }
        try {
            // closing may have begun while this caller waited
            requireOpen();
            return work.apply(graph);
        } finally {
            idle.add(graph);
        }
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /** Refuses new work, waits for the callers encoding now, then frees every backend. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = false;
        for (int returned = 0; returned < count; ) {
            try {
                idle.take();
                returned++;
            } catch (InterruptedException e) {
                // the backends' threads must still be stopped; the interrupt is kept for the caller
                interrupted = true;
            }
        }
        backends.forEach(Encoders::closeQuietly);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Backend backend) {
        try {
            backend.close();
        } catch (RuntimeException e) {
            // a backend that fails to stop its threads leaves nothing the caller could act on
        }
    }
}
