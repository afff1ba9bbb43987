package dev.clipengine.training;

/**
 * A request, from another thread (a signal handler), to stop training after the current step, so
 * the run can save and exit cleanly instead of dying mid-step.
 */
public final class StopRequest {

    private volatile String reason;

    /** Asks the training loop to stop after the step it is on; the first reason given is kept. */
    public void request(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    public boolean requested() {
        return reason != null;
    }

    /** Why the stop was requested, or null. */
    public String reason() {
        return reason;
    }
}
