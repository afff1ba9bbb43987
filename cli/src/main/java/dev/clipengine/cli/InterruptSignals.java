package dev.clipengine.cli;

import dev.clipengine.training.StopRequest;
import sun.misc.Signal;

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM into a request to stop after the current step, so the run
 * saves what it has and exits 130 or 143 (docs/formats.md) instead of losing it.
 */
final class InterruptSignals {

    static final String INT = "INT";
    static final String TERM = "TERM";

    private InterruptSignals() {
    }

    /** Installs the handlers; returns the request they fill. A second signal of a kind ends the JVM at once. */
    static StopRequest install() {
        StopRequest stop = new StopRequest();
        for (String name : new String[] {INT, TERM}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stop.requested()) {
                        // a second Ctrl-C means now: the user does not want to wait for the save
                        Runtime.getRuntime().halt(exitStatus(signal.getName()));
                    }
                    stop.request(signal.getName());
                });
            } catch (IllegalArgumentException unsupported) {
                // a platform without this signal: interrupting falls back to the JVM's default
            }
        }
        return stop;
    }

    /** 128 + the signal's number, as shells report it. */
    static int exitStatus(String signal) {
        return signal.equals(INT) ? 130 : 143;
    }
}
