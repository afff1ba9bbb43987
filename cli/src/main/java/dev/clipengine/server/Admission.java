package dev.clipengine.server;

import java.util.concurrent.Semaphore;

/**
 * The bound on work in progress: a request holds a place from the moment it is admitted until it
 * is answered. Places are the engine's encoders plus a queue; when all are taken a request is
 * refused at once (503) rather than held, so memory never grows with the number of callers.
 */
final class Admission {

    private final Semaphore places;

    Admission(int places) {
        this.places = new Semaphore(places);
    }

    /** Takes a place, or says there is none. */
    boolean tryEnter() {
        return places.tryAcquire();
    }

    void leave() {
        places.release();
    }

    /** Takes every free place (for tests that need a full server); returns how many. */
    int takeAll() {
        return places.drainPermits();
    }

    void giveBack(int count) {
        places.release(count);
    }
}
