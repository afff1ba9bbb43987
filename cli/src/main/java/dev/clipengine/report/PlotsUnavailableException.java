package dev.clipengine.report;

/**
 * Java cannot draw pictures on this machine, usually because it finds no fonts. Callers print the
 * message and carry on without the picture: a chart is never worth failing a training run for.
 */
public final class PlotsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PlotsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
