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

    static void positive(String flag, double value) {
        if (!(value > 0 && Double.isFinite(value))) {
            throw new BadInputException(flag + " must be a positive number, got " + format(value));
        }
    }

    private static String format(double value) {
        if (value == Long.MAX_VALUE) {
            return "any";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
