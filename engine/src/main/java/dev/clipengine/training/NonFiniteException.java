package dev.clipengine.training;

/** Training met a NaN or infinite loss: the step was not applied (exit status 3 on the command line). */
public final class NonFiniteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;

    public NonFiniteException(long step, String what) {
        super("step " + step + ": " + what + " is not finite; the step was not applied (try a lower --lr)");
        this.step = step;
    }

    public long step() {
        return step;
    }
}
