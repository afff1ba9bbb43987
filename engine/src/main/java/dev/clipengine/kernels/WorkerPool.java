package dev.clipengine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads that, together with the calling thread, run the parts
 * {@code 0 .. parts-1} of a {@link Task} and return when all are done. A call allocates nothing:
 * the task is an object the caller keeps, parts are handed out through a counter, and idle
 * threads spin briefly and then park.
 *
 * <p>Parts are taken in whatever order the threads get to them, so a task must compute the same
 * result for a part whichever worker runs it; the worker index only selects scratch memory.
 * Not thread-safe: one thread calls {@link #run} at a time.
 */
final class WorkerPool implements AutoCloseable {

    /** Work split into parts; run once per part, possibly concurrently. */
    interface Task {
        /**
         * Runs one part.
         *
         * @param part   the part, {@code 0 <= part < parts}
         * @param worker the running thread's index, {@code 0 <= worker < threads}; 0 is the caller
         */
        void run(int part, int worker);
    }

    /**
     * How long an idle thread polls before parking, about 50 microseconds. A short spin catches
     * the next call of a training step without a wake-up, while a long one would steal the core
     * the caller, or a busy neighbour, needs on a machine with as few cores as threads.
     */
    private static final int SPINS = 1 << 10;

    private final Thread[] workers;
    private final AtomicInteger nextPart = new AtomicInteger();
    private final AtomicInteger busyWorkers = new AtomicInteger();

    private volatile Task task;
    private volatile int parts;
    /** Bumped once per call; a worker runs when it sees a value it has not run yet. */
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** Starts {@code threads - 1} workers; the calling thread is the last one. */
    WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name(name + "-" + index).unstarted(() -> workerLoop(index));
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** Runs every part of task and returns when all have finished; rethrows the first failure. */
    void run(Task task, int parts) {
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        if (parts <= 1 || workers.length == 0) {
            // nothing to share: skip the hand-off entirely
            for (int part = 0; part < parts; part++) {
                task.run(part, 0);
            }
            return;
        }
        this.task = task;
        this.parts = parts;
        this.caller = Thread.currentThread();
        failure = null;
        nextPart.set(0);
        busyWorkers.set(workers.length);
        generation++; // the volatile write publishes the fields above to the workers
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        runParts(task, parts, 0);
        awaitWorkers();
        this.task = null;
        Throwable thrown = failure;
        if (thrown != null) {
            failure = null;
            if (thrown instanceof RuntimeException e) {
                throw e;
            }
            if (thrown instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(thrown);
        }
    }

    private void awaitWorkers() {
        for (int spin = 0; busyWorkers.get() != 0; spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    private void runParts(Task task, int parts, int worker) {
        for (int part = nextPart.getAndIncrement(); part < parts; part = nextPart.getAndIncrement()) {
            try {
                task.run(part, worker);
            } catch (Throwable t) {
                // keep the first failure for the caller; later parts still run so the call ends cleanly
                if (failure == null) {
                    failure = t;
                }
            }
        }
    }

    private void workerLoop(int index) {
        int seen = 0;
        while (true) {
            int current = generation;
            for (int spin = 0; current == seen && !closed; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                current = generation;
            }
            if (closed) {
                return;
            }
            seen = current;
            runParts(task, parts, index);
            if (busyWorkers.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the workers; they are daemons, so a pool that is never closed does not keep the JVM alive. */
    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
