package dev.clipengine.api;

import dev.clipengine.BadInputException;

import java.util.function.Supplier;

/** Runs engine code and reports its bad-input failures as the API's own exception type. */
final class InputErrors {

    private InputErrors() {
    }

    static <T> T translated(Supplier<T> work) {
        try {
            return work.get();
        } catch (BadInputException e) {
            throw new ClipInputException(e.getMessage(), e);
        }
    }
}
