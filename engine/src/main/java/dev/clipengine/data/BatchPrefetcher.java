package dev.clipengine.data;

import dev.clipengine.model.Batch;
import java.util.concurrent.locks.LockSupport;

/**
 * Fills the next batch on a thread of its own while the current one trains, so a step never waits
 * for patch extraction and token copying. One request at a time: {@link #request} starts a fill,
 * {@link #await} waits for it. The hand-off parks and unparks instead of using a queue, so a step
 * allocates nothing here either.
 */
public final class BatchPrefetcher implements AutoCloseable {

    private static final int IDLE = 0;
    private static final int REQUESTED = 1;
    private static final int DONE = 2;

    private final EncodedPairs pairs;
    private final int[] order;
    private final Thread worker;
    private volatile Thread waiter;
    private volatile int state = IDLE;
    private volatile boolean closed;
    // written before state becomes REQUESTED and read after, so the volatile state orders them
    private Batch target;
    private int from;
    private int count;
    private Throwable failure;

    /** @param order the data order the batches index into; the caller changes it only while idle */
    public BatchPrefetcher(EncodedPairs pairs, int[] order) {
        this.pairs = pairs;
        this.order = order;
        this.worker = Thread.ofPlatform().daemon().name("clip-engine-batches").start(this::work);
    }

    /** Starts filling {@code target} with the pairs {@code order[from .. from + count)}. */
    public void request(Batch target, int from, int count) {
        if (state != IDLE) {
            throw new IllegalStateException("a batch is already being filled");
        }
        this.target = target;
        this.from = from;
        this.count = count;
        this.failure = null;
        state = REQUESTED;
        LockSupport.unpark(worker);
    }

    /** Waits for the requested batch; rethrows what went wrong filling it. */
    public void await() {
        if (state == IDLE) {
            throw new IllegalStateException("no batch was requested");
        }
        waiter = Thread.currentThread();
        while (state != DONE) {
            LockSupport.park(this);
        }
        waiter = null;
        state = IDLE;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("filling a batch failed", failure);
        }
    }

    private void work() {
        while (true) {
            while (state != REQUESTED && !closed) {
                LockSupport.park(this);
            }
            if (closed) {
                return;
            }
            try {
                pairs.fill(target, order, from, count);
            } catch (Throwable t) {
                failure = t;
            }
            state = DONE;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Waits for a fill in flight, then stops the thread. */
    @Override
    public void close() {
        if (state != IDLE) {
            try {
                await();
            } catch (RuntimeException | Error ignored) {
                // the caller is already leaving; the fill's failure no longer matters
            }
        }
        closed = true;
        LockSupport.unpark(worker);
    }
}
