package dev.clipengine.cli;

import dev.clipengine.BadInputException;

/** Range checks of option values, each failing with the flag's name and the allowed range. */
final class Options {

    private Options() {
    }

    static void range(String flag, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new BadInputException(flag + " must be in " + format(min) + ".." + format(max) + ", got " + format(value));
        }
    }

    /** In [0, 1): a decay rate such as Adam's betas. */
    static void fraction(String flag, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new BadInputException(flag + " must be at least 0 and below 1, got " + format(value));
        }
    }

    static void atLeast(String flag, double value, double min) {
        if (!(value >= min)) {
            throw new BadInputException(flag + " must be at least " + format(min) + ", got " + format(value));
        }
    }

    static void positive(String flag, double value) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw new BadInputException(flag + " must be a positive number, got " + format(value));
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
