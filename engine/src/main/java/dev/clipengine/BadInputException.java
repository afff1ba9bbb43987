package dev.clipengine;

/**
 * Input a user can fix: a missing or malformed file, a wrong shape, a bad option value. Its
 * message is one line saying what is wrong and where; the command line prints it and exits 2.
 */
public class BadInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
