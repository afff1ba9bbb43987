package dev.clipengine.api;

/**
 * Input the caller can fix: a model file that is missing, corrupt or of an unknown layout, an
 * image that cannot be decoded or is too large, a caption with no known word, an unknown
 * backend. Its message is one line saying what is wrong and where.
 */
public class ClipInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An error of the caller's input.
     *
     * @param message one line saying what is wrong and where
     */
    public ClipInputException(String message) {
        super(message);
    }

    /**
     * An error of the caller's input, found by another part.
     *
     * @param message one line saying what is wrong and where
     * @param cause   the failure that found it
     */
    public ClipInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
