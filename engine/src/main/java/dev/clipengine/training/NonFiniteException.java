package dev.clipengine.training;

/** Training met a NaN or infinite loss or gradient: the step was not applied (exit status 3 on the command line). */
public final class NonFiniteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;
    private final String what;

    /** @param what what went non-finite, e.g. "the gradient of image.encoder.weight" */
    public NonFiniteException(long step, String what) {
        this(step, what, "try a lower --lr");
    }

    /** @param advice what the user can do, in parentheses at the end of the message */
    public NonFiniteException(long step, String what, String advice) {
        super("step " + step + ": " + what + " is not finite; the step was not applied (" + advice + ")");
        this.step = step;
        this.what = what;
    }

    public long step() {
        return step;
    }

    public String what() {
        return what;
    }
}
